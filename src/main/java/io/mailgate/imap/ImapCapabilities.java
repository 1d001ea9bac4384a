package io.mailgate.imap;

import io.mailgate.config.ImapConfig;
import io.mailgate.sasl.Mechanism;
import java.util.StringJoiner;

/**
 * The CAPABILITY line: {@code imap_capabilities} as written, then {@code AUTH=} per enabled mechanism in nginx's order,
 * then {@code STARTTLS} while it is offered. With {@code starttls only} before the upgrade there are no {@code AUTH=}
 * entries but {@code STARTTLS LOGINDISABLED} (RFC 3501 §6.2.3).
 */
final class ImapCapabilities {

  private ImapCapabilities() {}

  /**
   * The words after {@code * CAPABILITY }.
   *
   * @param starttls STARTTLS is offered now
   * @param tlsRequired {@code starttls only} and no TLS yet
   */
  static String of(ImapConfig config, boolean starttls, boolean tlsRequired) {
    StringJoiner line = new StringJoiner(" ");
    config.capabilities().forEach(line::add);
    if (tlsRequired) {
      return line.add("STARTTLS").add("LOGINDISABLED").toString();
    }
    for (Mechanism mechanism : Mechanism.values()) {
      if (mechanism != Mechanism.APOP && mechanism != Mechanism.NONE && config.auth().contains(mechanism)) {
        line.add("AUTH=" + mechanism.saslName());
      }
    }
    if (starttls) {
      line.add("STARTTLS");
    }
    return line.toString();
  }

  /**
   * Whether the operator lists RFC 2971 ID among the capabilities; ID is then answered, as it is with
   * {@code proxy_client_identity on}.
   */
  static boolean advertisesId(ImapConfig config) {
    return config.capabilities().stream().anyMatch(c -> c.equalsIgnoreCase("ID"));
  }
}
