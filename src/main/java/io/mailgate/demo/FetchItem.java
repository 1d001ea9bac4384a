package io.mailgate.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One data item of a FETCH command (RFC 3501 §6.4.5), of the subset the demo store serves.
 *
 * @param kind what is asked for
 * @param section for {@link Kind#BODY}: "", HEADER or TEXT
 * @param peek BODY.PEEK: does not set {@code \Seen}
 * @param partialStart first octet of a partial fetch ({@code <start.count>}), or -1 for all
 * @param partialCount most octets of a partial fetch
 */
record FetchItem(Kind kind, String section, boolean peek, long partialStart, long partialCount) {

  /** The kinds of data item served. */
  enum Kind {
    UID, FLAGS, INTERNALDATE, RFC822_SIZE, RFC822, RFC822_HEADER, RFC822_TEXT, BODY
  }

  /** Whether fetching this sets {@code \Seen} (RFC 3501 §6.4.5: BODY[...], RFC822 and RFC822.TEXT do). */
  boolean setsSeen() {
    return (kind == Kind.BODY && !peek) || kind == Kind.RFC822 || kind == Kind.RFC822_TEXT;
  }

  /**
   * Parses a FETCH command's data items: one item, a parenthesized list, or the macro FAST. ENVELOPE, BODYSTRUCTURE,
   * ALL, FULL and sections other than "", HEADER and TEXT are not served: they are syntax errors here.
   */
  static List<FetchItem> parseList(String text) throws DemoSyntaxException {
    String upper = text.toUpperCase(Locale.ROOT);
    if (upper.equals("FAST")) {
      return List.of(simple(Kind.FLAGS), simple(Kind.INTERNALDATE), simple(Kind.RFC822_SIZE));
    }
    boolean list = upper.startsWith("(");
    if (list != upper.endsWith(")")) {
      throw new DemoSyntaxException("unbalanced parentheses");
    }
    String items = list ? upper.substring(1, upper.length() - 1) : upper;
    List<FetchItem> parsed = new ArrayList<>();
    int pos = 0;
    while (true) {
      int end = itemEnd(items, pos);
      parsed.add(parseItem(items.substring(pos, end)));
      if (end == items.length()) {
        return parsed;
      }
      if (items.charAt(end) != ' ' || !list) {
        throw new DemoSyntaxException("invalid fetch item list");
      }
      pos = end + 1;
    }
  }

  private static int itemEnd(String items, int pos) {
    boolean inSection = false;
    int i = pos;
    while (i < items.length() && (inSection || items.charAt(i) != ' ')) {
      char c = items.charAt(i);
      inSection = c == '[' || (inSection && c != ']');
      i++;
    }
    return i;
  }

  private static FetchItem parseItem(String item) throws DemoSyntaxException {
    switch (item) {
      case "UID":
        return simple(Kind.UID);
      case "FLAGS":
        return simple(Kind.FLAGS);
      case "INTERNALDATE":
        return simple(Kind.INTERNALDATE);
      case "RFC822.SIZE":
        return simple(Kind.RFC822_SIZE);
      case "RFC822":
        return simple(Kind.RFC822);
      case "RFC822.HEADER":
        return simple(Kind.RFC822_HEADER);
      case "RFC822.TEXT":
        return simple(Kind.RFC822_TEXT);
      default:
        return parseBody(item);
    }
  }

  private static FetchItem parseBody(String item) throws DemoSyntaxException {
    boolean peek = item.startsWith("BODY.PEEK[");
    if (!peek && !item.startsWith("BODY[")) {
      throw new DemoSyntaxException("fetch item not supported by the demo store");
    }
    int open = item.indexOf('[');
    int close = item.indexOf(']', open);
    if (close < 0) {
      throw new DemoSyntaxException("invalid section");
    }
    String section = item.substring(open + 1, close);
    if (!section.isEmpty() && !section.equals("HEADER") && !section.equals("TEXT")) {
      throw new DemoSyntaxException("section not supported by the demo store");
    }
    String partial = item.substring(close + 1);
    if (partial.isEmpty()) {
      return new FetchItem(Kind.BODY, section, peek, -1, 0);
    }
    // RFC 3501 §9: "<" number "." nz-number ">".
    int dot = partial.indexOf('.');
    if (!partial.startsWith("<") || !partial.endsWith(">") || dot < 0) {
      throw new DemoSyntaxException("invalid partial");
    }
    long start = number(partial.substring(1, dot));
    long count = number(partial.substring(dot + 1, partial.length() - 1));
    if (count == 0) {
      throw new DemoSyntaxException("invalid partial");
    }
    return new FetchItem(Kind.BODY, section, peek, start, count);
  }

  private static long number(String text) throws DemoSyntaxException {
    if (text.isEmpty() || text.length() > 10 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new DemoSyntaxException("invalid partial");
    }
    return Long.parseLong(text);
  }

  private static FetchItem simple(Kind kind) {
    return new FetchItem(kind, "", false, -1, 0);
  }
}
