package io.mailgate.smtp;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One unit of client input before login, as produced by {@link SmtpCommandDecoder}.
 *
 * <p>{@code toString()} never prints arguments: they may carry passwords and tokens.
 */
sealed interface SmtpRequest {

  /**
   * A syntactically valid command line.
   *
   * @param verb the command
   * @param args the space-separated arguments, raw bytes (never CR, LF or NUL)
   * @param line the line from the verb to the end of the last argument, as sent (what nginx passes on for MAIL FROM
   *     and RCPT TO: {@code Auth-SMTP-From}, {@code Auth-SMTP-To} and the replay to the backend)
   */
  record Command(SmtpVerb verb, List<byte[]> args, byte[] line) implements SmtpRequest {

    /** Validates the components and freezes the argument list. */
    public Command {
      Objects.requireNonNull(verb, "verb");
      args = List.copyOf(args);
      line = line.clone();
    }

    @Override
    public byte[] line() {
      return line.clone();
    }

    /** Compares the bytes, not the array identities. */
    @Override
    public boolean equals(Object other) {
      if (!(other instanceof Command that) || verb != that.verb || args.size() != that.args.size()
          || !Arrays.equals(line, that.line)) {
        return false;
      }
      for (int i = 0; i < args.size(); i++) {
        if (!Arrays.equals(args.get(i), that.args.get(i))) {
          return false;
        }
      }
      return true;
    }

    /** Hashes the line bytes, consistent with {@link #equals(Object)}. */
    @Override
    public int hashCode() {
      return verb.hashCode() * 31 + Arrays.hashCode(line);
    }

    /** The verb and the number of arguments only (an AUTH argument is a credential). */
    @Override
    public String toString() {
      return "Command[" + verb + ", args=" + args.size() + "]";
    }
  }

  /**
   * A reply line to a {@code 334} challenge, split on spaces like nginx (an empty line is one empty argument); bytes
   * map one to one onto chars (ISO-8859-1) for the base64 decoder.
   */
  record SaslResponse(List<String> args) implements SmtpRequest {

    /** Freezes the argument list. */
    public SaslResponse {
      args = List.copyOf(args);
    }

    /** The number of arguments only (they are credentials). */
    @Override
    public String toString() {
      return "SaslResponse[args=" + args.size() + "]";
    }
  }

  /**
   * A line that is not a valid command: {@code 500 5.5.1 Invalid command}.
   *
   * @param logReason why, for the info log; never contains client input
   * @param close the session ends after the reply (a line past its limit)
   */
  record Invalid(String logReason, boolean close) implements SmtpRequest {

    /** Validates the reason. */
    public Invalid {
      Objects.requireNonNull(logReason, "logReason");
    }
  }
}
