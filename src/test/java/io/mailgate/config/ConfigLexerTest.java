package io.mailgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ConfigLexerTest {

  private static List<String> texts(String conf) throws ConfigException {
    return ConfigLexer.tokenize(conf, "/c.conf").stream()
        .map(t -> t.kind() == Token.Kind.EOF ? "<EOF>" : t.text())
        .collect(Collectors.toList());
  }

  @Test
  void wordsAndPunctuationAreSeparateTokens() throws Exception {
    assertThat(texts("mail {\n  listen 127.0.0.1:8143;\n}\n"))
        .containsExactly("mail", "{", "listen", "127.0.0.1:8143", ";", "}", "<EOF>");
  }

  @Test
  void commentsRunToTheEndOfTheLineOnlyWhereAWordCouldStart() throws Exception {
    assertThat(texts("a b#c; # all of this ; { }\nd;")).containsExactly("a", "b#c", ";", "d", ";", "<EOF>");
  }

  @Test
  void doubleAndSingleQuotesKeepSpacesAndSpecialCharacters() throws Exception {
    assertThat(texts("x \"a b;{}#\" 'c \"d\"';")).containsExactly("x", "a b;{}#", "c \"d\"", ";", "<EOF>");
  }

  @Test
  void nginxEscapesAreUnescapedAndOthersAreKept() throws Exception {
    assertThat(texts("x \"q\\\"s\\'b\\\\n\\n\\r\\t\\d\";"))
        .containsExactly("x", "q\"s'b\\n\n\r\t\\d", ";", "<EOF>");
  }

  @Test
  void aBackslashProtectsASeparatorInABareWordButStaysInIt() throws Exception {
    assertThat(texts("x a\\;b c\\ d;")).containsExactly("x", "a\\;b", "c\\ d", ";", "<EOF>");
  }

  @Test
  void aBraceAfterADollarStaysInTheWord() throws Exception {
    assertThat(texts("set ${a}b;")).containsExactly("set", "${a}b", ";", "<EOF>");
  }

  @Test
  void aClosingBraceInsideAWordIsPartOfIt() throws Exception {
    assertThat(texts("a b}")).containsExactly("a", "b}", "<EOF>");
  }

  @Test
  void anEmptyQuotedStringIsAWord() throws Exception {
    assertThat(texts("set $x \"\";")).containsExactly("set", "$x", "", ";", "<EOF>");
  }

  @Test
  void aQuoteInsideABareWordIsLiteral() throws Exception {
    assertThat(texts("a b\"c;")).containsExactly("a", "b\"c", ";", "<EOF>");
  }

  @Test
  void aParenthesisMayFollowAClosingQuote() throws Exception {
    assertThat(texts("if ($a = 'x') {}")).containsExactly("if", "($a", "=", "x", ")", "{", "}", "<EOF>");
  }

  @Test
  void tokensCarryFileAndLine() throws Exception {
    List<Token> tokens = ConfigLexer.tokenize("a\n\"b\nc\"\n;\n", "/f.conf");
    assertThat(tokens).extracting(Token::line).containsExactly(1, 3, 4, 5);
    assertThat(tokens).extracting(Token::file).containsOnly("/f.conf");
    assertThat(tokens.get(1).text()).isEqualTo("b\nc");
  }

  @Test
  void somethingGluedToAClosingQuoteIsAnError() {
    assertThatThrownBy(() -> ConfigLexer.tokenize("a\n\"b\"c;", "/f.conf"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("unexpected \"c\" in /f.conf:2");
  }

  @Test
  void anUnterminatedQuoteIsAnUnexpectedEndOfFile() {
    assertThatThrownBy(() -> ConfigLexer.tokenize("a \"b;\n\n", "/f.conf"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("unexpected end of file, expecting \";\" or \"}\" in /f.conf:3");
  }
}
