package io.mailgate.pop3;

import java.util.List;
import java.util.Objects;

/**
 * One unit of POP3 client input before login, as produced by {@link Pop3CommandParser}.
 *
 * <p>Arguments are the line's bytes mapped one to one onto chars (ISO-8859-1), so nothing is lost for the base64
 * decoder or the auth service. {@code toString()} never prints arguments: they may carry passwords and tokens.
 */
public sealed interface Pop3Request {

  /**
   * A known command (RFC 1939 §3): name upper-cased, arguments as split by nginx (USER and PASS keep their spaces).
   *
   * @param name USER, PASS, APOP, QUIT, CAPA, AUTH, NOOP or STLS
   * @param args at most three arguments
   */
  record Command(String name, List<String> args) implements Pop3Request {

    /** Validates the components and freezes the argument list. */
    public Command {
      Objects.requireNonNull(name, "name");
      args = List.copyOf(args);
    }

    /** Prints the name and the number of arguments only (arguments may be credentials). */
    @Override
    public String toString() {
      return "Command[name=" + name + ", args=" + args.size() + "]";
    }
  }

  /**
   * The client's reply line to a SASL challenge (RFC 5034 §4), split on spaces like nginx; an empty line is one empty
   * argument.
   */
  record SaslResponse(List<String> args) implements Pop3Request {

    /** Freezes the argument list. */
    public SaslResponse {
      args = List.copyOf(args);
    }

    /** Prints the number of arguments only (they are credentials). */
    @Override
    public String toString() {
      return "SaslResponse[args=" + args.size() + "]";
    }
  }

  /**
   * A line that is not a valid command or SASL response.
   *
   * @param reason for the log; never contains client input
   * @param close the session ends after the {@code -ERR} (the line passed its length limit)
   */
  record Invalid(String reason, boolean close) implements Pop3Request {

    /** Validates the reason. */
    public Invalid {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
