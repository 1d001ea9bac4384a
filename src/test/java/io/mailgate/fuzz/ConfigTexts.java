package io.mailgate.fuzz;

import io.mailgate.config.Token;
import java.util.List;

/** Writes configuration words back as nginx syntax: each word double-quoted, so any text survives the lexer. */
final class ConfigTexts {

  private ConfigTexts() {}

  /** {@code word} in double quotes with {@code \} and {@code "} escaped (the lexer's only escapes that matter). */
  static String quote(String word) {
    return "\"" + word.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** The tokens as text, one space between each, words quoted, the EOF token left out. */
  static String join(List<Token> tokens) {
    StringBuilder sb = new StringBuilder();
    for (Token t : tokens) {
      switch (t.kind()) {
        case WORD -> sb.append(quote(t.text()));
        case EOF -> { }
        default -> sb.append(t.text());
      }
      sb.append(' ');
    }
    return sb.toString();
  }
}
