package io.mailgate.imap;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One unit of client input before login, as produced by {@link ImapCommandDecoder}.
 *
 * <p>{@code toString()} never prints arguments: they may carry passwords and tokens.
 */
public sealed interface ImapRequest {

  /**
   * A syntactically valid command. tag as sent; name upper-cased; args: atoms, quoted strings (unescaped) and
   * literals as raw bytes. The arrays are not copied: do not modify them.
   */
  record Command(String tag, String name, List<byte[]> args) implements ImapRequest {

    /** Validates the components and freezes the argument list. */
    public Command {
      Objects.requireNonNull(tag, "tag");
      Objects.requireNonNull(name, "name");
      args = List.copyOf(args);
    }

    /** Compares the argument bytes, not the array identities. */
    @Override
    public boolean equals(Object other) {
      if (!(other instanceof Command)) {
        return false;
      }
      Command that = (Command) other;
      if (!tag.equals(that.tag) || !name.equals(that.name) || args.size() != that.args.size()) {
        return false;
      }
      for (int i = 0; i < args.size(); i++) {
        if (!Arrays.equals(args.get(i), that.args.get(i))) {
          return false;
        }
      }
      return true;
    }

    /** Hashes the argument bytes, consistent with {@link #equals(Object)}. */
    @Override
    public int hashCode() {
      int hash = Objects.hash(tag, name);
      for (byte[] arg : args) {
        hash = 31 * hash + Arrays.hashCode(arg);
      }
      return hash;
    }

    /** Prints the tag, the name and the number of arguments only (arguments may be credentials). */
    @Override
    public String toString() {
      return "Command[tag=" + tag + ", name=" + name + ", args=" + args.size() + "]";
    }
  }

  /**
   * The client's reply line to a SASL challenge, split on spaces like nginx (an empty line = one empty arg).
   * Bytes are mapped one to one onto chars (ISO-8859-1), so nothing is lost for the base64 decoder.
   */
  record SaslResponse(List<String> args) implements ImapRequest {

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
   * An invalid line. tag: present if a valid tag was read before the error. close: the session must end after the
   * BAD (line too long, non-synchronizing literal over the limit). logReason never contains client input.
   */
  record Invalid(Optional<String> tag, String logReason, boolean close) implements ImapRequest {

    /** Validates the components. */
    public Invalid {
      Objects.requireNonNull(tag, "tag");
      Objects.requireNonNull(logReason, "logReason");
    }
  }
}
