package io.mailgate.demo;

import java.util.List;

/**
 * One IMAP command as received: the text of its lines (line ends and literal markers removed) and the literal that
 * follows each line but the last (RFC 3501 §4.3). A SASL response line is a request with one line and no literal.
 *
 * @param lines the line texts, in order; one more than {@code literals}
 * @param literals the literal octets, in order
 * @param literalTooLarge the client asked for a synchronizing literal past the limit; the command was not read
 */
record DemoRequest(List<byte[]> lines, List<byte[]> literals, boolean literalTooLarge) {

  DemoRequest {
    lines = List.copyOf(lines);
    literals = List.copyOf(literals);
  }

  /** The command's tag: the first line up to its first space, or "*" when there is none. */
  String tag() {
    byte[] first = lines.get(0);
    int end = 0;
    while (end < first.length && first[end] != ' ') {
      end++;
    }
    return end == 0 ? "*" : new String(first, 0, end, java.nio.charset.StandardCharsets.ISO_8859_1);
  }
}
