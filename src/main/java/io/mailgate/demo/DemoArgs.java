package io.mailgate.demo;

import java.nio.charset.StandardCharsets;

/**
 * Reads the arguments of a {@link DemoRequest} left to right (RFC 3501 §4, §9): atoms, quoted strings and literals.
 * Arguments are separated by single spaces; a literal stands where its line ends.
 */
final class DemoArgs {

  private final DemoRequest request;
  private int line;
  private int pos;

  DemoArgs(DemoRequest request) {
    this.request = request;
  }

  /** Whether all arguments were read. */
  boolean atEnd() {
    return pos >= current().length && line >= request.literals().size();
  }

  /** Reads a word up to the next space or the end of the line: a tag, a command name, a mechanism. */
  String word() throws DemoSyntaxException {
    byte[] text = current();
    int start = pos;
    while (pos < text.length && text[pos] != ' ') {
      pos++;
    }
    if (pos == start) {
      throw new DemoSyntaxException("missing argument");
    }
    return latin1(text, start, pos);
  }

  /** Reads one space. */
  void space() throws DemoSyntaxException {
    byte[] text = current();
    if (pos >= text.length || text[pos] != ' ') {
      throw new DemoSyntaxException("expected a space");
    }
    pos++;
  }

  /** Reads an astring (atom, quoted string or literal) as UTF-8; list-mailbox wildcards are allowed in atoms. */
  String astring() throws DemoSyntaxException {
    byte[] text = current();
    if (pos >= text.length) {
      if (line < request.literals().size()) {
        byte[] literal = request.literals().get(line);
        line++;
        pos = 0;
        return new String(literal, StandardCharsets.UTF_8);
      }
      throw new DemoSyntaxException("missing argument");
    }
    if (text[pos] == '"') {
      return quoted(text);
    }
    int start = pos;
    while (pos < text.length && text[pos] != ' ' && text[pos] != '(' && text[pos] != ')' && text[pos] != '"') {
      pos++;
    }
    if (pos == start) {
      throw new DemoSyntaxException("invalid argument");
    }
    return new String(text, start, pos - start, StandardCharsets.UTF_8);
  }

  /** The rest of the current line; literals are not allowed there. */
  String restOfLine() throws DemoSyntaxException {
    if (line < request.literals().size()) {
      throw new DemoSyntaxException("unexpected literal");
    }
    byte[] text = current();
    String rest = latin1(text, pos, text.length);
    pos = text.length;
    return rest;
  }

  /** Throws unless every argument was read. */
  void end() throws DemoSyntaxException {
    if (!atEnd()) {
      throw new DemoSyntaxException("too many arguments");
    }
  }

  private String quoted(byte[] text) throws DemoSyntaxException {
    java.io.ByteArrayOutputStream value = new java.io.ByteArrayOutputStream();
    pos++;
    while (pos < text.length) {
      byte b = text[pos++];
      if (b == '"') {
        return value.toString(StandardCharsets.UTF_8);
      }
      if (b == '\\') {
        if (pos >= text.length || (text[pos] != '"' && text[pos] != '\\')) {
          throw new DemoSyntaxException("invalid quoted string");
        }
        b = text[pos++];
      }
      value.write(b);
    }
    throw new DemoSyntaxException("unterminated quoted string");
  }

  private byte[] current() {
    return request.lines().get(line);
  }

  private static String latin1(byte[] text, int from, int to) {
    return new String(text, from, to - from, StandardCharsets.ISO_8859_1);
  }
}
