package io.mailgate.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits nginx configuration text into tokens, following nginx's lexical rules: words end at white space,
 * {@code ;} or <code>{</code> ({@code ${} inside a word keeps going, for variables); {@code #} starts a comment only
 * where a word could start; single or double quotes open only at the start of a word and must be followed by white
 * space, {@code ;}, <code>{</code> or {@code )}; a backslash protects the next character, and {@code \"}, {@code \'},
 * {@code \\}, {@code \n}, {@code \r}, {@code \t} are unescaped (any other pair is kept as written).
 */
public final class ConfigLexer {

  private final String text;
  private final String file;
  private int pos;
  private int line = 1;

  private ConfigLexer(String text, String file) {
    this.text = text;
    this.file = file;
  }

  /** Tokenizes a whole file's text; the last token is always {@link Token.Kind#EOF}. */
  public static List<Token> tokenize(String text, String file) throws ConfigException {
    return new ConfigLexer(text, file).run();
  }

  private List<Token> run() throws ConfigException {
    List<Token> tokens = new ArrayList<>();
    while (true) {
      skipBlanksAndComments();
      if (pos >= text.length()) {
        tokens.add(new Token(Token.Kind.EOF, "", file, line));
        return tokens;
      }
      char c = text.charAt(pos);
      if (c == ';' || c == '{' || c == '}') {
        pos++;
        tokens.add(new Token(punctuation(c), String.valueOf(c), file, line));
      } else if (c == '"' || c == '\'') {
        tokens.add(quoted(c));
      } else {
        tokens.add(bare());
      }
    }
  }

  private static Token.Kind punctuation(char c) {
    if (c == ';') {
      return Token.Kind.SEMICOLON;
    }
    return c == '{' ? Token.Kind.OPEN : Token.Kind.CLOSE;
  }

  private void skipBlanksAndComments() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c == '#') {
        while (pos < text.length() && text.charAt(pos) != '\n') {
          pos++;
        }
      } else if (isBlank(c)) {
        advance();
      } else {
        return;
      }
    }
  }

  private Token quoted(char quote) throws ConfigException {
    pos++;
    int start = pos;
    while (true) {
      if (pos >= text.length()) {
        throw unexpectedEof();
      }
      char c = text.charAt(pos);
      if (c == '\\') {
        advance();
        if (pos >= text.length()) {
          throw unexpectedEof();
        }
        advance();
      } else if (c == quote) {
        break;
      } else {
        advance();
      }
    }
    String raw = text.substring(start, pos);
    pos++;
    Token token = new Token(Token.Kind.WORD, unescape(raw), file, line);
    if (pos < text.length()) {
      char next = text.charAt(pos);
      // nginx requires a separator after a closing quote; ")" is allowed for the http module's "if (...)".
      if (!isBlank(next) && next != ';' && next != '{' && next != ')') {
        throw new ConfigException("unexpected \"" + next + "\"", file, line);
      }
    }
    return token;
  }

  private Token bare() throws ConfigException {
    int start = pos;
    boolean afterDollar = false;
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c == '\\') {
        advance();
        if (pos >= text.length()) {
          throw unexpectedEof();
        }
        advance();
        afterDollar = false;
        continue;
      }
      if (c == '{' && afterDollar) {
        advance();
        afterDollar = false;
        continue;
      }
      if (isBlank(c) || c == ';' || c == '{') {
        break;
      }
      afterDollar = c == '$';
      advance();
    }
    return new Token(Token.Kind.WORD, unescape(text.substring(start, pos)), file, line);
  }

  private void advance() {
    if (text.charAt(pos) == '\n') {
      line++;
    }
    pos++;
  }

  private ConfigException unexpectedEof() {
    return new ConfigException("unexpected end of file, expecting \";\" or \"}\"", file, line);
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
  }

  /** Applies nginx's escapes to the raw text of a word. */
  static String unescape(String raw) {
    if (raw.indexOf('\\') < 0) {
      return raw;
    }
    StringBuilder sb = new StringBuilder(raw.length());
    int i = 0;
    while (i < raw.length()) {
      char c = raw.charAt(i);
      if (c == '\\' && i + 1 < raw.length()) {
        char n = raw.charAt(i + 1);
        String replacement = escape(n);
        if (replacement != null) {
          sb.append(replacement);
          i += 2;
          continue;
        }
      }
      sb.append(c);
      i++;
    }
    return sb.toString();
  }

  private static String escape(char c) {
    switch (c) {
      case '"':
      case '\'':
      case '\\':
        return String.valueOf(c);
      case 'n':
        return "\n";
      case 'r':
        return "\r";
      case 't':
        return "\t";
      default:
        return null;
    }
  }
}
