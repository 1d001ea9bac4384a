package io.mailgate.pop3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailgate.codec.RequestParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Pop3CommandParserTest {

  /** Renders a request for comparison; arguments are shown with CR, LF and NUL escaped. */
  static String render(Pop3Request request) {
    if (request instanceof Pop3Request.Command command) {
      StringBuilder out = new StringBuilder("CMD ").append(command.name());
      command.args().forEach(arg -> out.append(" [").append(escape(arg)).append(']'));
      return out.toString();
    }
    if (request instanceof Pop3Request.SaslResponse response) {
      StringBuilder out = new StringBuilder("SASL");
      response.args().forEach(arg -> out.append(" [").append(escape(arg)).append(']'));
      return out.toString();
    }
    Pop3Request.Invalid invalid = (Pop3Request.Invalid) request;
    return "INVALID" + (invalid.close() ? " close" : "");
  }

  static String escape(String s) {
    return s.replace("\0", "\\0").replace("\r", "\\r").replace("\n", "\\n");
  }

  /** Feeds {@code input}; a request whose render starts with "AUTH"-like markers is not special here. */
  static List<String> parse(Pop3CommandParser parser, String input) {
    List<String> events = new ArrayList<>();
    for (byte b : input.getBytes(StandardCharsets.ISO_8859_1)) {
      RequestParser.Step step = parser.accept(b);
      assertThat(step).isNotEqualTo(RequestParser.Step.CONTINUE);
      if (step == RequestParser.Step.REQUEST) {
        events.add(render(parser.takeRequest()));
      }
    }
    return events;
  }

  private static List<String> parse(String input) {
    return parse(new Pop3CommandParser(128, 16384), input);
  }

  @Test
  void everyKnownCommandIsParsedCaseInsensitivelyAndUpperCased() {
    assertThat(parse("user a\r\npass b\r\napop u d\r\nquit\r\ncapa\r\nauth\r\nnoop\r\nstls\r\n")).containsExactly(
        "CMD USER [a]", "CMD PASS [b]", "CMD APOP [u] [d]", "CMD QUIT", "CMD CAPA", "CMD AUTH", "CMD NOOP",
        "CMD STLS");
  }

  @Test
  void aBareLfEndsALineAsInNginx() {
    assertThat(parse("NOOP\nUSER a\n")).containsExactly("CMD NOOP", "CMD USER [a]");
  }

  @Test
  void userAndPassKeepSpacesInsideTheirArgument() {
    assertThat(parse("USER  john smith \r\nPASS se cret\r\n"))
        .containsExactly("CMD USER [john smith ]", "CMD PASS [se cret]");
  }

  @Test
  void otherCommandsSplitArgumentsOnRunsOfSpaces() {
    assertThat(parse("APOP   user   digest  \r\nAUTH PLAIN  abc\r\n"))
        .containsExactly("CMD APOP [user] [digest]", "CMD AUTH [PLAIN] [abc]");
  }

  @Test
  void aFourthArgumentMakesTheLineInvalidLikeNginx() {
    assertThat(parse("AUTH a b c\r\nAUTH a b c d\r\nNOOP\r\n"))
        .containsExactly("CMD AUTH [a] [b] [c]", "INVALID", "CMD NOOP");
  }

  @Test
  void unknownCommandsAreInvalidAndSkippedToTheirLineEnd() {
    assertThat(parse("INVALID COMMAND WITH ARGUMENTS\r\nNOOP\r\nLIST\r\nRETR 1\r\nNOO\r\nNOOPS\r\n"))
        .containsExactly("INVALID", "CMD NOOP", "INVALID", "INVALID", "INVALID", "INVALID");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\r\n", "\n", " NOOP\r\n", "NO0P\r\n", "NOOP\rX\r\n", "NOOP \rX\n", "USER a\0b\r\n",
      "\0NOOP\r\n", "NOOP\0\r\n", "USER a\r\r\n"})
  void emptyLinesNonLettersNulAndBareCrAreInvalid(String line) {
    assertThat(parse(line + "NOOP\r\n")).containsExactly("INVALID", "CMD NOOP");
  }

  @Test
  void aCommandWithoutArgumentsMayHaveTrailingSpaces() {
    assertThat(parse("NOOP   \r\nUSER \r\n")).containsExactly("CMD NOOP", "CMD USER");
  }

  @Test
  void argumentBytesAreKeptOneToOneAsIso88591Chars() {
    assertThat(parse(new String(new byte[] {'U', 'S', 'E', 'R', ' ', (byte) 0xc3, (byte) 0xa9, '\r', '\n'},
        StandardCharsets.ISO_8859_1))).containsExactly("CMD USER [\u00c3\u00a9]");
  }

  @Test
  void aSaslResponseIsSplitOnSpacesAndAnEmptyLineIsOneEmptyArgument() {
    Pop3CommandParser parser = new Pop3CommandParser(128, 16384);
    parser.expectSaslResponse();
    assertThat(parse(parser, "\r\n")).containsExactly("SASL []");
    parser.expectSaslResponse();
    assertThat(parse(parser, "\n")).containsExactly("SASL []");
    parser.expectSaslResponse();
    assertThat(parse(parser, "abc  def \r\n")).containsExactly("SASL [abc] [def]");
    parser.expectSaslResponse();
    assertThat(parse(parser, " abc\r\n")).containsExactly("SASL [] [abc]");
  }

  @Test
  void onlyOneLineIsASaslResponseThenCommandsResume() {
    Pop3CommandParser parser = new Pop3CommandParser(128, 16384);
    parser.expectSaslResponse();
    assertThat(parse(parser, "NOOP\r\nNOOP\r\n")).containsExactly("SASL [NOOP]", "CMD NOOP");
  }

  @Test
  void aSaslResponseWithNulBareCrOrTooManyArgumentsIsInvalid() {
    Pop3CommandParser parser = new Pop3CommandParser(128, 16384);
    parser.expectSaslResponse();
    assertThat(parse(parser, "AQ\0==\r\n")).containsExactly("INVALID");
    parser.expectSaslResponse();
    assertThat(parse(parser, "AQ==\rx\r\n")).containsExactly("INVALID");
    parser.expectSaslResponse();
    assertThat(parse(parser, "a b c d\r\nNOOP\r\n")).containsExactly("INVALID", "CMD NOOP");
  }

  @Test
  void aCommandLineMayFillTheLimitExactlyButNotPassIt() {
    String fits = "USER " + "u".repeat(128 - 7) + "\r\n";
    assertThat(fits).hasSize(128);
    assertThat(parse(fits)).containsExactly("CMD USER [" + "u".repeat(121) + "]");
    String tooLong = "USER " + "u".repeat(128 - 6) + "\r\n";
    assertThat(parse(tooLong + "NOOP\r\n")).containsExactly("INVALID close");
  }

  @Test
  void aTooLongLineIsRefusedAsSoonAsItPassesTheLimitAndLaterInputIsIgnored() {
    Pop3CommandParser parser = new Pop3CommandParser(16, 16384);
    assertThat(parse(parser, "X".repeat(16))).isEmpty();
    assertThat(parse(parser, "X")).containsExactly("INVALID close");
    assertThat(parser.failed()).isTrue();
    assertThat(parse(parser, "\r\nNOOP\r\n")).isEmpty();
    parser.reset();
    assertThat(parser.failed()).isFalse();
    assertThat(parse(parser, "NOOP\r\n")).containsExactly("CMD NOOP");
  }

  @Test
  void anAuthLineMayCarryA4KbTokenWhileOtherCommandsAreHeldToTheClientBuffer() {
    String token = "A".repeat(4096);
    assertThat(parse("AUTH XOAUTH2 " + token + "\r\n")).containsExactly("CMD AUTH [XOAUTH2] [" + token + "]");
    assertThat(parse("APOP " + token + "\r\n")).containsExactly("INVALID close");
  }

  @Test
  void anAuthLineAndASaslResponseStopAtTheSaslLimit() {
    String line = "AUTH XOAUTH2 " + "A".repeat(16384 - 15) + "\r\n";
    assertThat(line).hasSize(16384);
    assertThat(parse(line)).hasSize(1).allMatch(e -> e.startsWith("CMD AUTH"));
    assertThat(parse("AUTH XOAUTH2 " + "A".repeat(16384))).containsExactly("INVALID close");
    Pop3CommandParser parser = new Pop3CommandParser(128, 16384);
    parser.expectSaslResponse();
    assertThat(parse(parser, "A".repeat(16382) + "\r\n")).containsExactly("SASL [" + "A".repeat(16382) + "]");
    parser.expectSaslResponse();
    assertThat(parse(parser, "A".repeat(16383) + "\r\n")).containsExactly("INVALID close");
  }

  @Test
  void aLargerClientBufferAlsoRaisesTheSaslLimit() {
    Pop3CommandParser parser = new Pop3CommandParser(32768, 16384);
    parser.expectSaslResponse();
    assertThat(parse(parser, "A".repeat(20000) + "\r\n")).hasSize(1).allMatch(e -> e.startsWith("SASL"));
  }

  @Test
  void anInvalidLineLongerThanTheLimitStillEndsTheSession() {
    assertThat(parse("FOO " + "x".repeat(200) + "\r\n")).containsExactly("INVALID close");
  }

  @Test
  void expectingASaslResponseInTheMiddleOfALineAppliesToTheNextLine() {
    Pop3CommandParser parser = new Pop3CommandParser(128, 16384);
    assertThat(parse(parser, "NO")).isEmpty();
    parser.expectSaslResponse();
    assertThat(parse(parser, "OP\r\nx y\r\n")).containsExactly("CMD NOOP", "SASL [x] [y]");
  }

  @Test
  void takingARequestTwiceIsAnError() {
    Pop3CommandParser parser = new Pop3CommandParser(128, 16384);
    parse(parser, "NOOP\r\n");
    assertThatThrownBy(parser::takeRequest).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void requestsNeverPrintTheirArguments() {
    assertThat(new Pop3Request.Command("PASS", List.of("secret")).toString()).doesNotContain("secret");
    assertThat(new Pop3Request.SaslResponse(List.of("dG9rZW4=")).toString()).doesNotContain("dG9rZW4=");
  }

  @Test
  void invalidLimitsAreRefused() {
    assertThatThrownBy(() -> new Pop3CommandParser(0, 16384)).isInstanceOf(IllegalArgumentException.class);
  }
}
