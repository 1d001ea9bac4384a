package io.mailgate.pop3;

import io.mailgate.config.Pop3Config;
import io.mailgate.sasl.Mechanism;
import java.util.ArrayList;
import java.util.List;

/**
 * The multi-line replies that list what the server offers: {@code CAPA} (RFC 2449 §5, with the RFC 5034 §6
 * {@code SASL} capability) and {@code AUTH} without an argument (RFC 1734 style list, as nginx answers it).
 */
final class Pop3Capabilities {

  /** nginx's fixed advertisement order, whatever the order in {@code pop3_auth}; APOP is never a SASL name. */
  private static final List<Mechanism> ORDER = List.of(Mechanism.PLAIN, Mechanism.LOGIN, Mechanism.CRAM_MD5,
      Mechanism.EXTERNAL, Mechanism.XOAUTH2, Mechanism.OAUTHBEARER);

  private Pop3Capabilities() {}

  /** The SASL mechanisms advertised; {@code plain} turns LOGIN on as well, as in nginx's POP3 module. */
  static List<String> mechanisms(Pop3Config config) {
    List<String> names = new ArrayList<>();
    for (Mechanism mechanism : ORDER) {
      boolean enabled = config.auth().contains(mechanism)
          || (mechanism == Mechanism.LOGIN && config.auth().contains(Mechanism.PLAIN));
      if (enabled) {
        names.add(mechanism.saslName());
      }
    }
    return names;
  }

  /**
   * The CAPA reply, CRLF-terminated lines: {@code pop3_capabilities} as written, the SASL line, {@code STLS} while it
   * is offered (RFC 2595 §4), then {@code .}. With {@code starttls only} before the upgrade, USER and the SASL line are
   * left out: nothing but STLS may come first.
   *
   * @param stls STLS is offered now
   * @param tlsRequired {@code starttls only} and no TLS yet
   */
  static String capa(Pop3Config config, boolean stls, boolean tlsRequired) {
    StringBuilder reply = new StringBuilder("+OK Capability list follows\r\n");
    for (String capability : config.capabilities()) {
      if (!(tlsRequired && capability.equalsIgnoreCase("USER"))) {
        reply.append(capability).append("\r\n");
      }
    }
    if (!tlsRequired) {
      // nginx always writes the SASL line, even when it names no mechanism (pop3_auth apop).
      reply.append("SASL");
      mechanisms(config).forEach(m -> reply.append(' ').append(m));
      reply.append("\r\n");
    }
    if (stls) {
      reply.append("STLS\r\n");
    }
    return reply.append(".\r\n").toString();
  }

  /** The reply to {@code AUTH} without an argument: one mechanism per line, then {@code .}. */
  static String authList(Pop3Config config) {
    StringBuilder reply = new StringBuilder("+OK methods supported:\r\n");
    mechanisms(config).forEach(m -> reply.append(m).append("\r\n"));
    return reply.append(".\r\n").toString();
  }
}
