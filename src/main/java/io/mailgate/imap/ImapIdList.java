package io.mailgate.imap;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * An RFC 2971 ID parameter list: field/value pairs in the order sent, a value being null for NIL. An empty list stands
 * for {@code NIL} (no parameters). Strings hold one char per octet (ISO-8859-1), so nothing a client sent is lost.
 *
 * <p>{@link #parse} reads the arguments {@link ImapCommandParser} gives a client's ID: {@code NIL}, or {@code (},
 * field, value, ..., {@code )}. The parser has already checked that the parentheses are balanced, flat and outermost;
 * this class checks the pairs and RFC 2971 §3.3's limits. An atom counts as a string here (Dovecot only takes quoted
 * strings and literals) and a quoted {@code "NIL"} reads as NIL: the parser does not keep that distinction.
 */
record ImapIdList(List<Field> fields) {

  /** RFC 2971 §3.3: "Implementations MUST NOT send more than 30 field-value pairs." */
  static final int MAX_PAIRS = 30;
  /** RFC 2971 §3.3: "Field strings MUST NOT be longer than 30 octets." */
  static final int MAX_FIELD_OCTETS = 30;
  /** RFC 2971 §3.3: "Value strings MUST NOT be longer than 1024 octets." */
  static final int MAX_VALUE_OCTETS = 1024;

  /** No parameters: {@code ID NIL}. */
  static final ImapIdList NIL = new ImapIdList(List.of());

  /** One pair. {@code value} null means NIL. */
  record Field(String name, String value) {
    Field {
      Objects.requireNonNull(name, "name");
    }
  }

  /** What {@link #parse} made of a client's ID arguments. */
  sealed interface Parsed {}

  /** A well-formed list. */
  record Valid(ImapIdList list) implements Parsed {}

  /** A malformed one; {@code reason} never contains client input. */
  record Malformed(String reason) implements Parsed {}

  ImapIdList {
    fields = List.copyOf(fields);
  }

  /** The list from {@code imap_id_fields}: field, value, field, value... (the config checked count and characters). */
  static ImapIdList ofPairs(List<String> pairs) {
    if (pairs.size() % 2 != 0) {
      throw new IllegalArgumentException("odd number of ID strings");
    }
    List<Field> fields = new ArrayList<>(pairs.size() / 2);
    for (int i = 0; i < pairs.size(); i += 2) {
      fields.add(new Field(pairs.get(i), pairs.get(i + 1)));
    }
    return new ImapIdList(fields);
  }

  /** Reads a client's ID arguments (see the class comment). */
  static Parsed parse(List<byte[]> args) {
    if (args.size() == 1 && isNil(args.get(0))) {
      return new Valid(NIL);
    }
    int last = args.size() - 1;
    if (args.size() < 2 || !Arrays.equals(args.get(0), ImapCommandParser.OPEN)
        || !Arrays.equals(args.get(last), ImapCommandParser.CLOSE)) {
      return new Malformed("ID takes a parenthesised list or NIL");
    }
    int strings = last - 1;
    if (strings % 2 != 0) {
      return new Malformed("ID field without a value");
    }
    if (strings / 2 > MAX_PAIRS) {
      return new Malformed("more than " + MAX_PAIRS + " ID fields");
    }
    List<Field> fields = new ArrayList<>(strings / 2);
    for (int i = 1; i < last; i += 2) {
      byte[] name = args.get(i);
      byte[] value = args.get(i + 1);
      if (isNil(name)) {
        return new Malformed("NIL as an ID field name");
      }
      if (name.length > MAX_FIELD_OCTETS) {
        return new Malformed("ID field name longer than " + MAX_FIELD_OCTETS + " octets");
      }
      if (value.length > MAX_VALUE_OCTETS) {
        return new Malformed("ID value longer than " + MAX_VALUE_OCTETS + " octets");
      }
      fields.add(new Field(text(name), isNil(value) ? null : text(value)));
    }
    return new Valid(new ImapIdList(fields));
  }

  /**
   * The list as it goes on the wire: {@code NIL}, or {@code ("field" "value" ...)} with RFC 3501 quoting. Every string
   * must be {@link ImapQuotedString#representable}.
   */
  String wire() {
    if (fields.isEmpty()) {
      return "NIL";
    }
    StringJoiner out = new StringJoiner(" ", "(", ")");
    for (Field field : fields) {
      out.add(ImapQuotedString.quote(field.name()));
      out.add(ImapQuotedString.nstring(field.value()));
    }
    return out.toString();
  }

  /** Prints the number of fields only: values may identify the user's device. */
  @Override
  public String toString() {
    return "ImapIdList[fields=" + fields.size() + "]";
  }

  private static boolean isNil(byte[] arg) {
    return arg.length == 3 && (arg[0] | 0x20) == 'n' && (arg[1] | 0x20) == 'i' && (arg[2] | 0x20) == 'l';
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }
}
