package io.mailgate.interop;

/** What a client does on a listener: stays in cleartext, upgrades with STARTTLS, or starts with TLS. */
enum Transport {
  CLEARTEXT(""),
  STARTTLS("+starttls"),
  TLS("+tls");

  private final String suffix;

  Transport(String suffix) {
    this.suffix = suffix;
  }

  /** What most clients do on {@code listener}: the least TLS it allows. */
  static Transport leastFor(Listener listener) {
    return switch (listener) {
      case STARTTLS_OFFERED -> CLEARTEXT;
      case STARTTLS_REQUIRED -> STARTTLS;
      case IMPLICIT_TLS -> TLS;
    };
  }

  /** The suffix of a case's endpoint label, e.g. {@code imap+starttls}. */
  String suffix() {
    return suffix;
  }
}
