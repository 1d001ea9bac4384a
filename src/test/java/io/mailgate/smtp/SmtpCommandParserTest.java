package io.mailgate.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.codec.RequestParser.Step;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmtpCommandParserTest {

  private final SmtpCommandParser parser = new SmtpCommandParser(64, 256);

  private List<SmtpRequest> feed(String input) {
    List<SmtpRequest> out = new ArrayList<>();
    for (byte b : input.getBytes(StandardCharsets.ISO_8859_1)) {
      if (parser.accept(b) == Step.REQUEST) {
        out.add(parser.takeRequest());
      }
    }
    return out;
  }

  private static SmtpRequest.Command command(SmtpVerb verb, String line, String... args) {
    List<byte[]> argBytes = new ArrayList<>();
    for (String a : args) {
      argBytes.add(a.getBytes(StandardCharsets.ISO_8859_1));
    }
    return new SmtpRequest.Command(verb, argBytes, line.getBytes(StandardCharsets.ISO_8859_1));
  }

  @Test
  void aCommandWithArgumentsIsParsedCaseInsensitively() {
    assertThat(feed("ehlo client.example\r\n")).containsExactly(
        command(SmtpVerb.EHLO, "ehlo client.example", "client.example"));
  }

  @Test
  void theLineOfMailFromKeepsInnerSpacingAndDropsTrailingSpaces() {
    assertThat(feed("MAIL FROM:<a@b>  SIZE=100   \r\n")).containsExactly(
        command(SmtpVerb.MAIL, "MAIL FROM:<a@b>  SIZE=100", "FROM:<a@b>", "SIZE=100"));
  }

  @Test
  void aCommandWithoutArgumentsHasItsVerbAsLine() {
    assertThat(feed("NOOP\r\nQUIT\r\n")).containsExactly(command(SmtpVerb.NOOP, "NOOP"), command(SmtpVerb.QUIT, "QUIT"));
  }

  @Test
  void aBareLfIsNotALineEndAndMakesTheLineInvalid() {
    assertThat(feed("NOOP\n")).isEmpty();
    assertThat(feed("QUIT\r\n")).containsExactly(new SmtpRequest.Invalid("bare LF in line", false));
    assertThat(feed("NOOP\r\n")).containsExactly(command(SmtpVerb.NOOP, "NOOP"));
  }

  @Test
  void aBareCrMakesTheLineInvalid() {
    assertThat(feed("MAIL FROM:<a@b>\rRCPT TO:<c@d>\r\nNOOP\r\n")).containsExactly(
        new SmtpRequest.Invalid("bare CR in line", false), command(SmtpVerb.NOOP, "NOOP"));
  }

  @Test
  void aCrBeforeTheLineEndCrLfIsStillABareCr() {
    assertThat(feed("NOOP\r\r\n")).containsExactly(new SmtpRequest.Invalid("bare CR in line", false));
  }

  @Test
  void aNulByteMakesTheLineInvalid() {
    assertThat(feed("HELO a\0b\r\n")).containsExactly(new SmtpRequest.Invalid("NUL byte in line", false));
  }

  @Test
  void unknownAndEmptyCommandsAreInvalidAndSkippedToTheirLineEnd() {
    assertThat(feed("FOO bar baz\r\n\r\nHELLO x\r\n1234\r\n")).containsExactly(
        new SmtpRequest.Invalid("unknown command", false),
        new SmtpRequest.Invalid("empty command", false),
        new SmtpRequest.Invalid("unknown command", false),
        new SmtpRequest.Invalid("invalid command", false));
  }

  @Test
  void elevenArgumentsAreAcceptedAndTwelveAreNot() {
    assertThat(feed("MAIL a b c d e f g h i j k\r\n")).singleElement()
        .isInstanceOf(SmtpRequest.Command.class);
    assertThat(feed("MAIL a b c d e f g h i j k l\r\n")).containsExactly(
        new SmtpRequest.Invalid("too many arguments", false));
  }

  @Test
  void aLineLongerThanTheCommandLimitFailsAtOnceAndSilencesTheParser() {
    List<SmtpRequest> out = feed("HELO " + "x".repeat(59) + "\r\n");
    assertThat(out).containsExactly(new SmtpRequest.Invalid(SmtpCommandParser.TOO_LONG, true));
    assertThat(parser.failed()).isTrue();
    assertThat(feed("NOOP\r\n")).isEmpty();
  }

  @Test
  void aLineOfExactlyTheLimitIsAccepted() {
    String line = "HELO " + "x".repeat(57);
    assertThat(line.length() + 2).isEqualTo(64);
    assertThat(feed(line + "\r\n")).singleElement().isInstanceOf(SmtpRequest.Command.class);
  }

  @Test
  void anAuthLineMayReachTheSaslLimit() {
    String line = "AUTH PLAIN " + "A".repeat(200);
    assertThat(feed(line + "\r\n")).containsExactly(command(SmtpVerb.AUTH, line, "PLAIN", "A".repeat(200)));
    assertThat(feed("AUTH PLAIN " + "A".repeat(250) + "\r\n")).containsExactly(
        new SmtpRequest.Invalid(SmtpCommandParser.TOO_LONG, true));
  }

  @Test
  void aSaslResponseIsSplitOnSpacesAndAnEmptyLineIsOneEmptyArgument() {
    parser.expectSaslResponse();
    assertThat(feed("dGVzdA== extra\r\n")).containsExactly(new SmtpRequest.SaslResponse(List.of("dGVzdA==", "extra")));
    parser.expectSaslResponse();
    assertThat(feed("\r\n")).containsExactly(new SmtpRequest.SaslResponse(List.of("")));
    assertThat(feed("NOOP\r\n")).containsExactly(command(SmtpVerb.NOOP, "NOOP"));
  }

  @Test
  void aSaslResponseMayBeLongerThanTheCommandLimit() {
    parser.expectSaslResponse();
    assertThat(feed("B".repeat(200) + "\r\n")).containsExactly(new SmtpRequest.SaslResponse(List.of("B".repeat(200))));
  }

  @Test
  void aSaslResponseWithABareLfIsInvalid() {
    parser.expectSaslResponse();
    assertThat(feed("abc\ndef\r\n")).containsExactly(new SmtpRequest.Invalid("bare LF in line", false));
  }

  @Test
  void expectingASaslResponseMidLineAppliesToTheNextLine() {
    feed("NO");
    parser.expectSaslResponse();
    assertThat(feed("OP\r\nabc\r\n")).containsExactly(command(SmtpVerb.NOOP, "NOOP"),
        new SmtpRequest.SaslResponse(List.of("abc")));
  }

  @Test
  void resetForgetsAPartialLine() {
    feed("HELO exa");
    parser.reset();
    assertThat(feed("NOOP\r\n")).containsExactly(command(SmtpVerb.NOOP, "NOOP"));
  }

  @Test
  void argumentsKeepEightBitBytesForSmtputf8Addresses() {
    String line = "MAIL FROM:<j\u00c3\u00b6rg@example.com>";
    assertThat(feed(line + "\r\n")).containsExactly(command(SmtpVerb.MAIL, line, "FROM:<j\u00c3\u00b6rg@example.com>"));
  }

  @Test
  void requestsDoNotPrintTheirArguments() {
    SmtpRequest.Command auth = command(SmtpVerb.AUTH, "AUTH PLAIN c2VjcmV0", "PLAIN", "c2VjcmV0");
    assertThat(auth.toString()).doesNotContain("c2VjcmV0");
    assertThat(new SmtpRequest.SaslResponse(List.of("c2VjcmV0")).toString()).doesNotContain("c2VjcmV0");
  }
}
