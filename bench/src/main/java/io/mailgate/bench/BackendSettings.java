package io.mailgate.bench;

import io.netty.buffer.ByteBuf;

/**
 * What the fake backends serve.
 *
 * @param literalPlus whether IMAP advertises LITERAL+ (RFC 7888); literals of both kinds are accepted either way
 * @param message the one message, in a direct buffer sent with {@code retainedDuplicate()}
 * @param messageSize its size in bytes
 * @param hostname the name in greetings
 */
public record BackendSettings(boolean literalPlus, ByteBuf message, int messageSize, String hostname) {

  /** The IMAP capability list before or after login. */
  public String imapCapabilities(boolean afterLogin) {
    String common = "IMAP4rev1 SASL-IR ID ENABLE IDLE" + (literalPlus ? " LITERAL+" : "");
    return afterLogin ? common + " UIDPLUS MOVE NAMESPACE" : common + " AUTH=PLAIN AUTH=XOAUTH2 AUTH=OAUTHBEARER";
  }
}
