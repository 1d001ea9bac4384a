package io.mailgate.smtp;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One backend reply (RFC 5321 §4.2): lines {@code NNN-text} and a last {@code NNN text}. {@link Assembler} collects the
 * lines of one reply.
 *
 * @param code the three-digit code of the last line
 * @param lines every line, without CRLF
 */
record SmtpReply(int code, List<String> lines) {

  SmtpReply {
    lines = List.copyOf(lines);
  }

  /** The last line, for log messages. */
  String lastLine() {
    return lines.get(lines.size() - 1);
  }

  /** The reply as it came, each line CRLF-terminated (what a client gets when it is relayed). */
  String wire() {
    return String.join("\r\n", lines) + "\r\n";
  }

  /** The ehlo-keywords of an EHLO reply: every line's text but the first (the greeting domain), upper-cased. */
  List<String> ehloKeywords() {
    List<String> keywords = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i);
      keywords.add(SmtpCapabilities.keyword(line.length() > 4 ? line.substring(4) : ""));
    }
    return keywords;
  }

  /**
   * The ehlo-params of {@code keyword}'s line in an EHLO reply (RFC 5321 §4.1.1.1: keyword, then parameters separated
   * by spaces), e.g. Postfix's XCLIENT attribute names; empty when the reply has no such line, an empty list when the
   * line has no parameters.
   */
  Optional<List<String>> ehloParameters(String keyword) {
    for (int i = 1; i < lines.size(); i++) {
      String text = lines.get(i).length() > 4 ? lines.get(i).substring(4).strip() : "";
      if (SmtpCapabilities.keyword(text).equals(keyword)) {
        String rest = text.substring(Math.min(text.length(), keyword.length())).strip();
        return Optional.of(rest.isEmpty() ? List.of() : List.of(rest.split(" +")));
      }
    }
    return Optional.empty();
  }

  /** Collects reply lines; bounded, so a backend cannot grow it without end. */
  static final class Assembler {

    /** More lines than any real EHLO reply has. */
    static final int MAX_LINES = 256;

    private final List<String> lines = new ArrayList<>();

    /**
     * Adds a line; returns the reply once its last line is in.
     *
     * @throws IllegalArgumentException for a line that is no reply line, or one line too many
     */
    Optional<SmtpReply> add(String line) {
      if (line.length() < 3 || !digit(line.charAt(0)) || !digit(line.charAt(1)) || !digit(line.charAt(2))
          || (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-')) {
        lines.clear();
        throw new IllegalArgumentException("not an SMTP reply line");
      }
      lines.add(line);
      if (line.length() > 3 && line.charAt(3) == '-') {
        if (lines.size() >= MAX_LINES) {
          lines.clear();
          throw new IllegalArgumentException("too many reply lines");
        }
        return Optional.empty();
      }
      SmtpReply reply = new SmtpReply(Integer.parseInt(line.substring(0, 3)), lines);
      lines.clear();
      return Optional.of(reply);
    }

    private static boolean digit(char c) {
      return c >= '0' && c <= '9';
    }
  }
}
