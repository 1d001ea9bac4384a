package io.mailgate.imap;

import io.mailgate.config.ImapConfig;
import io.mailgate.sasl.Mechanism;
import java.util.StringJoiner;

/** The CAPABILITY line: {@code imap_capabilities} as written, then {@code AUTH=} per enabled mechanism in nginx's order. */
final class ImapCapabilities {

  private ImapCapabilities() {}

  /** The words after {@code * CAPABILITY }. */
  static String of(ImapConfig config) {
    StringJoiner line = new StringJoiner(" ");
    config.capabilities().forEach(line::add);
    for (Mechanism mechanism : Mechanism.values()) {
      if (mechanism != Mechanism.APOP && mechanism != Mechanism.NONE && config.auth().contains(mechanism)) {
        line.add("AUTH=" + mechanism.saslName());
      }
    }
    return line.toString();
  }

  /** RFC 2971 ID is served only when the operator lists it among the capabilities. */
  static boolean advertisesId(ImapConfig config) {
    return config.capabilities().stream().anyMatch(c -> c.equalsIgnoreCase("ID"));
  }
}
