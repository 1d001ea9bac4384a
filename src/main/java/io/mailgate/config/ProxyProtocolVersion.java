package io.mailgate.config;

/**
 * {@code proxy_protocol}: which PROXY protocol header (haproxy's proxy-protocol.txt) opens each backend connection.
 * nginx's {@code on} is version 1, the text line; {@code v2} is the binary header, which also carries TLV fields.
 */
public enum ProxyProtocolVersion {
  /** No header (nginx's default). */
  OFF,
  /** The text header, {@code PROXY TCP4 ...} (nginx's {@code on}). */
  V1,
  /** The binary header with the TLS and session-id fields. */
  V2;

  /** Whether a header is sent at all. */
  public boolean enabled() {
    return this != OFF;
  }
}
