package io.mailgate.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mailgate.config.ConfigException;
import io.mailgate.config.ConfigLexer;
import io.mailgate.config.Token;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The configuration lexer on any text: tokens or a {@code file:line} error, never another exception; the tokens,
 * written back out quoted, lex to the same tokens (so no escape or quote is lost or invented).
 */
class ConfigLexerFuzzTest {

  private static final String FILE = "fuzz.conf";

  @FuzzTest(maxDuration = "30s")
  void tokensRelexToTheSameTokens(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    List<Token> tokens;
    try {
      tokens = ConfigLexer.tokenize(text, FILE);
    } catch (ConfigException e) {
      assertThat(e.getMessage()).matches("(?s).* in " + FILE + ":[1-9][0-9]*");
      assertThat(lineOf(e.getMessage())).isLessThanOrEqualTo(lineCount(text));
      return;
    }
    assertThat(tokens.get(tokens.size() - 1).kind()).isEqualTo(Token.Kind.EOF);
    int previousLine = 1;
    for (Token t : tokens) {
      assertThat(t.line()).isBetween(previousLine, lineCount(text));
      previousLine = t.line();
    }
    List<Token> again;
    try {
      again = ConfigLexer.tokenize(ConfigTexts.join(tokens), FILE);
    } catch (ConfigException e) {
      throw new AssertionError("re-joined tokens do not lex: " + e.getMessage(), e);
    }
    assertThat(again).extracting(Token::kind).isEqualTo(tokens.stream().map(Token::kind).toList());
    assertThat(again).extracting(Token::text).isEqualTo(tokens.stream().map(Token::text).toList());
  }

  private static int lineCount(String text) {
    return (int) text.chars().filter(c -> c == '\n').count() + 1;
  }

  private static int lineOf(String message) {
    return Integer.parseInt(message.substring(message.lastIndexOf(':') + 1));
  }
}
