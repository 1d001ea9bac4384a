package io.mailgate.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ImapCommandParserTest {

  static final Set<String> KNOWN =
      Set.of("CAPABILITY", "NOOP", "LOGOUT", "LOGIN", "AUTHENTICATE", "STARTTLS", "ID");

  /** Renders a request for comparison; arguments are shown with CR, LF and NUL escaped. */
  static String render(ImapRequest request) {
    if (request instanceof ImapRequest.Command) {
      ImapRequest.Command command = (ImapRequest.Command) request;
      StringBuilder out = new StringBuilder("CMD ").append(command.tag()).append(' ').append(command.name());
      for (byte[] arg : command.args()) {
        out.append(" [").append(escape(new String(arg, StandardCharsets.ISO_8859_1))).append(']');
      }
      return out.toString();
    }
    if (request instanceof ImapRequest.SaslResponse) {
      StringBuilder out = new StringBuilder("SASL");
      for (String arg : ((ImapRequest.SaslResponse) request).args()) {
        out.append(" [").append(escape(arg)).append(']');
      }
      return out.toString();
    }
    ImapRequest.Invalid invalid = (ImapRequest.Invalid) request;
    return "INVALID " + invalid.tag().orElse("-") + (invalid.close() ? " close" : "");
  }

  static String escape(String s) {
    return s.replace("\0", "\\0").replace("\r", "\\r").replace("\n", "\\n");
  }

  private static List<String> parse(ImapCommandParser parser, String input) {
    List<String> events = new ArrayList<>();
    for (byte b : input.getBytes(StandardCharsets.ISO_8859_1)) {
      ImapCommandParser.Step step = parser.accept(b);
      if (step == ImapCommandParser.Step.CONTINUE) {
        events.add("+ OK");
      } else if (step == ImapCommandParser.Step.REQUEST) {
        events.add(render(parser.takeRequest()));
      }
    }
    return events;
  }

  private static List<String> parse(String input) {
    return parse(new ImapCommandParser(4096, 16384, KNOWN), input);
  }

  @Test
  void aLoginWithoutArgumentsIsACommandWithNoArguments() {
    assertThat(parse("a01 LOGIN\r\n")).containsExactly("CMD a01 LOGIN");
  }

  @Test
  void atomsAreSplitOnRunsOfSpacesAndCommandNamesAreUpperCased() {
    assertThat(parse("a02  login   test@example.com  bad \r\n"))
        .containsExactly("CMD a02 LOGIN [test@example.com] [bad]");
  }

  @Test
  void quotedStringsAreUnescaped() {
    assertThat(parse("a01 LOGIN \"te\\\\\\\"st@example.com\" \"se\\\\\\\"cret\"\r\n"))
        .containsExactly("CMD a01 LOGIN [te\\\"st@example.com] [se\\\"cret]");
  }

  @Test
  void aQuoteInsideAnAtomIsKept() {
    assertThat(parse("a01 LOGIN us\"er pa\\ss\r\n")).containsExactly("CMD a01 LOGIN [us\"er] [pa\\ss]");
  }

  @Test
  void aClosingQuoteMayBeFollowedDirectlyByTheNextArgumentLikeNginx() {
    assertThat(parse("a01 LOGIN \"a\"b\r\n")).containsExactly("CMD a01 LOGIN [a] [b]");
  }

  @Test
  void anUnterminatedQuotedStringIsInvalid() {
    assertThat(parse("a01 LOGIN \"abc\r\na02 NOOP\r\n")).containsExactly("INVALID a01", "CMD a02 NOOP");
  }

  @Test
  void aLineEndAfterABackslashIsInvalid() {
    assertThat(parse("a01 LOGIN \"abc\\\r\n")).containsExactly("INVALID a01");
  }

  @Test
  void aSynchronizingLiteralAsksForContinuationRightAfterItsLineEnd() {
    ImapCommandParser parser = new ImapCommandParser(4096, 16384, KNOWN);
    assertThat(parse(parser, "a01 LOGIN {18}\r")).isEmpty();
    assertThat(parse(parser, "\n")).containsExactly("+ OK");
    assertThat(parse(parser, "te\\\"st@example.com {8}\r\n")).containsExactly("+ OK");
    assertThat(parse(parser, "se\\\"cret\r\n")).containsExactly("CMD a01 LOGIN [te\\\"st@example.com] [se\\\"cret]");
  }

  @Test
  void aNonSynchronizingLiteralAsksForNothing() {
    assertThat(parse("a01 LOGIN {18+}\r\nte\\\"st@example.com {8+}\r\nse\\\"cret\r\n"))
        .containsExactly("CMD a01 LOGIN [te\\\"st@example.com] [se\\\"cret]");
  }

  @Test
  void literalBytesAreKeptRaw() {
    assertThat(parse("a01 LOGIN {5+}\nx\r\n\"y\n"))
        .containsExactly("CMD a01 LOGIN [x\\r\\n\"y]");
  }

  @Test
  void anEmptyLiteralIsAnEmptyArgument() {
    assertThat(parse("a01 LOGIN {0}\r\n {1+}\r\nx\r\n")).containsExactly("+ OK", "CMD a01 LOGIN [] [x]");
  }

  @Test
  void aLiteralMayFollowALiteralDirectly() {
    assertThat(parse("a01 LOGIN {1}\r\na{1}\r\nb\r\n")).containsExactly("+ OK", "+ OK", "CMD a01 LOGIN [a] [b]");
  }

  @Test
  void anAtomDirectlyAfterALiteralIsInvalidExceptInId() {
    assertThat(parse("a01 LOGIN {1+}\r\nab\r\n")).containsExactly("INVALID a01");
    assertThat(parse("a01 ID (\"name\" {1+}\r\nx)\r\n")).containsExactly("CMD a01 ID [(] [name] [x] [)]");
  }

  @Test
  void malformedLiteralsAreInvalid() {
    assertThat(parse("a01 LOGIN {}\r\na02 LOGIN {+}\r\na03 LOGIN {1x}\r\na04 LOGIN {1}x\r\n"))
        .containsExactly("INVALID a01", "INVALID a02 close");
    assertThat(parse("a03 LOGIN {1x}\r\na04 LOGIN {1}x\r\n")).containsExactly("INVALID a03", "INVALID a04");
  }

  @Test
  void aHugeLiteralLengthDoesNotOverflow() {
    assertThat(parse("a01 LOGIN {99999999999999999999999999}\r\na02 NOOP\r\n"))
        .containsExactly("INVALID a01", "CMD a02 NOOP");
    assertThat(parse("a01 LOGIN {99999999999999999999999999+}")).containsExactly("INVALID a01 close");
  }

  @Test
  void aSynchronizingLiteralMustLeaveRoomForItsLineEnds() {
    // "a01 LOGIN {nn}" is 14 bytes, then CRLF, nn bytes and CRLF: 18 + nn.
    assertThat(parse(new ImapCommandParser(30, 30, KNOWN), "a01 LOGIN {12}\r\n")).containsExactly("+ OK");
    assertThat(parse(new ImapCommandParser(30, 30, KNOWN), "a01 LOGIN {13}\r\n")).containsExactly("INVALID a01");
    assertThat(parse(new ImapCommandParser(30, 30, KNOWN), "a01 LOGIN {13+}")).containsExactly("INVALID a01 close");
  }

  @Test
  void aCommandOfExactlyTheLimitIsAcceptedAndOneByteMoreIsRefusedAtOnce() {
    assertThat(parse(new ImapCommandParser(10, 10, KNOWN), "a01 NOOP\r\n")).containsExactly("CMD a01 NOOP");
    ImapCommandParser parser = new ImapCommandParser(10, 10, KNOWN);
    assertThat(parse(parser, "a01 NOOPS\r")).isEmpty();
    assertThat(parse(parser, "\n")).containsExactly("INVALID a01 close");
    assertThat(parser.failed()).isTrue();
    assertThat(parse(parser, "a02 NOOP\r\n")).isEmpty();
  }

  @Test
  void theTooLongReasonNamesNginxsMessage() {
    ImapCommandParser parser = new ImapCommandParser(8, 8, KNOWN);
    ImapRequest last = null;
    for (byte b : "a01 NOOP x y".getBytes(StandardCharsets.US_ASCII)) {
      if (parser.accept(b) == ImapCommandParser.Step.REQUEST) {
        last = parser.takeRequest();
      }
    }
    assertThat(last).isEqualTo(new ImapRequest.Invalid(Optional.of("a01"), "client sent too long command", true));
  }

  @Test
  void aTagIsOneToThirtyTwoSafeCharacters() {
    String tag32 = "Aa0-._".repeat(5) + "zz";
    assertThat(parse(tag32 + " NOOP\r\n")).containsExactly("CMD " + tag32 + " NOOP");
    assertThat(parse(tag32 + "z NOOP\r\n")).containsExactly("INVALID -");
    assertThat(parse("a*1 NOOP\r\na+1 NOOP\r\n")).containsExactly("INVALID -", "INVALID -");
    assertThat(parse(" a01 NOOP\r\n")).containsExactly("INVALID -");
  }

  @Test
  void linesWithoutAValidTagAreInvalidWithoutTag() {
    assertThat(parse("\r\n\nNOOP\r\na01\r\n")).containsExactly("INVALID -", "INVALID -", "INVALID -", "INVALID -");
  }

  @Test
  void aTagWithoutACommandIsInvalidWithTheTag() {
    assertThat(parse("a01 \r\na02 NO0P\r\n")).containsExactly("INVALID a01", "INVALID a02");
  }

  @Test
  void anUnknownCommandIsInvalidWithItsTag() {
    assertThat(parse("a01 INVALID COMMAND WITH ARGUMENTS\r\na02 NOOP\r\n"))
        .containsExactly("INVALID a01", "CMD a02 NOOP");
  }

  @Test
  void aNonSynchronizingLiteralOnAnUnknownCommandIsConsumed() {
    assertThat(parse("a03 FOOBAR {10+}\r\ntest test \r\na04 NOOP\r\n"))
        .containsExactly("INVALID a03", "CMD a04 NOOP");
  }

  @Test
  void aSynchronizingLiteralOnAnUnknownCommandEndsTheLineWithoutContinuation() {
    assertThat(parse("a01 FOO {5}\r\nhello\r\na02 NOOP\r\n"))
        .containsExactly("INVALID a01", "INVALID -", "CMD a02 NOOP");
  }

  @Test
  void anInvalidLineEndingInANonSynchronizingLiteralEndsTheSession() {
    ImapCommandParser parser = new ImapCommandParser(4096, 16384, KNOWN);
    assertThat(parse(parser, "a01 LOGIN a b c {5+}\r\nNOOP\r\n")).containsExactly("INVALID a01 close");
    assertThat(parser.failed()).isTrue();
  }

  @Test
  void moreThanThreeArgumentsAreInvalid() {
    assertThat(parse("a01 LOGIN a b c\r\na02 LOGIN a b c d\r\na03 LOGIN a b c {1}\r\n"))
        .containsExactly("CMD a01 LOGIN [a] [b] [c]", "INVALID a02", "INVALID a03");
  }

  @Test
  void idListParenthesesAreArgumentsOfTheirOwn() {
    assertThat(parse("a01 ID (\"name\" \"x y\" \"version\" \"1.0\" \"os\" NIL)\r\na02 ID NIL\r\n"))
        .containsExactly("CMD a01 ID [(] [name] [x y] [version] [1.0] [os] [NIL] [)]", "CMD a02 ID [NIL]");
    assertThat(parse("a01 ID ( \"a\"\"b\" )\r\na02 ID ()\r\na03 id (\"a\" NIL)\r\n")).containsExactly(
        "CMD a01 ID [(] [a] [b] [)]", "CMD a02 ID [(] [)]", "CMD a03 ID [(] [a] [NIL] [)]");
  }

  @Test
  void parenthesesInsideIdStringsAreData() {
    assertThat(parse("a01 ID (\"(\" \")\" \"a(b)\" {1}\r\n))\r\n"))
        .containsExactly("+ OK", "CMD a01 ID [(] [(] [)] [a(b)] [)] [)]");
  }

  @Test
  void idListParenthesesAreLiteralSafeAcrossFragments() {
    ImapCommandParser parser = new ImapCommandParser(4096, 16384, KNOWN);
    List<String> events = new ArrayList<>();
    for (String part : List.of("a01 I", "D (", "\"na", "me\" {2+}\r\nv", "1", ")", "\r", "\n")) {
      events.addAll(parse(parser, part));
    }
    assertThat(events).containsExactly("CMD a01 ID [(] [name] [v1] [)]");
  }

  @Test
  void malformedIdListsAreInvalid() {
    assertThat(parse("a01 ID (\"a\" (\"b\"))\r\n")).as("nested").containsExactly("INVALID a01");
    assertThat(parse("a01 ID (\"a\" \"b\"\r\n")).as("unterminated").containsExactly("INVALID a01");
    assertThat(parse("a01 ID (\"a\" \"b\") x\r\n")).as("after the list").containsExactly("INVALID a01");
    assertThat(parse("a01 ID ()()\r\n")).as("second list").containsExactly("INVALID a01");
    assertThat(parse("a01 ID \"(\" \")\"\r\n")).as("quoted look-alike").containsExactly("INVALID a01");
    assertThat(parse("a01 ID {1}\r\n")).as("literal first").containsExactly("INVALID a01");
    assertThat(parse("a01 ID )\r\n")).as("stray close").containsExactly("INVALID a01");
    assertThat(parse("a01 ID NIL(\r\na02 NOOP\r\n")).as("list after NIL")
        .containsExactly("INVALID a01", "CMD a02 NOOP");
  }

  @Test
  void anInvalidIdListAnnouncingANonSynchronizingLiteralEndsTheSession() {
    assertThat(parse("a01 ID \"a\" {3+}\r\nb c\r\n")).containsExactly("INVALID a01 close");
  }

  @Test
  void parenthesesStayInsideAtomsOfOtherCommands() {
    assertThat(parse("a01 LOGIN (u) p)\r\n")).containsExactly("CMD a01 LOGIN [(u)] [p)]");
  }

  @Test
  void aNulByteMakesTheLineInvalid() {
    assertThat(parse("a01 NO\0OP\r\n\0a02 NOOP\r\na03 LOGIN \"a\0\"\r\na04 NOOP\r\n"))
        .containsExactly("INVALID a01", "INVALID -", "INVALID a03", "CMD a04 NOOP");
  }

  @Test
  void aNulByteInALiteralIsInvalidButTheLiteralIsStillConsumed() {
    assertThat(parse("a01 LOGIN {5+}\r\na\0\r\nb c\r\na02 NOOP\r\n")).containsExactly("INVALID a01", "CMD a02 NOOP");
  }

  @Test
  void aBareCrIsInvalidAndABareLfEndsALine() {
    assertThat(parse("a01 NOOP\rx\r\na02 NOOP\na03 NOOP\r\r\n"))
        .containsExactly("INVALID a01", "CMD a02 NOOP", "INVALID a03");
  }

  @Test
  void authenticateLinesMayUseTheSaslLimit() {
    ImapCommandParser parser = new ImapCommandParser(4096, 16384, KNOWN);
    String token = "x".repeat(10_000);
    assertThat(parse(parser, "1 AUTHENTICATE XOAUTH2 " + token + "\r\n"))
        .containsExactly("CMD 1 AUTHENTICATE [XOAUTH2] [" + token + "]");
    assertThat(parse(parser, "1 LOGIN " + token + "\r\n")).containsExactly("INVALID 1 close");
  }

  @Test
  void aSaslResponseIsSplitOnSpacesLikeNginxAndThenCommandsResume() {
    ImapCommandParser parser = new ImapCommandParser(4096, 16384, KNOWN);
    List<String> events = new ArrayList<>();
    String[] lines = {"\r\n", "abc\r\n", "a  b \r\n", " a\n", "{5}\r\n", " \r\n"};
    for (String line : lines) {
      parser.expectSaslResponse();
      events.addAll(parse(parser, line));
    }
    events.addAll(parse(parser, "a02 NOOP\r\n"));
    assertThat(events).containsExactly("SASL []", "SASL [abc]", "SASL [a] [b]", "SASL [] [a]", "SASL [{5}]",
        "SASL []", "CMD a02 NOOP");
  }

  @Test
  void aSaslResponseWithNulOrBareCrIsInvalidWithoutClosing() {
    ImapCommandParser parser = new ImapCommandParser(4096, 16384, KNOWN);
    parser.expectSaslResponse();
    assertThat(parse(parser, "ab\0c\r\n")).containsExactly("INVALID -");
    parser.expectSaslResponse();
    assertThat(parse(parser, "ab\rc\r\n")).containsExactly("INVALID -");
    assertThat(parse(parser, "a01 NOOP\r\n")).containsExactly("CMD a01 NOOP");
  }

  @Test
  void aSaslResponseLongerThanItsLimitEndsTheSession() {
    // The SASL limit is never below the command limit (LineRequestParser), so it is the larger one here.
    ImapCommandParser parser = new ImapCommandParser(50, 100, KNOWN);
    parser.expectSaslResponse();
    assertThat(parse(parser, "x".repeat(98) + "\r\n")).containsExactly("SASL [" + "x".repeat(98) + "]");
    parser.expectSaslResponse();
    assertThat(parse(parser, "x".repeat(99) + "\r\n")).containsExactly("INVALID - close");
  }

  @Test
  void resetForgetsThePartialLineAndTheSaslExpectation() {
    ImapCommandParser parser = new ImapCommandParser(4096, 16384, KNOWN);
    parse(parser, "a01 LOGIN {5}\r\nab");
    parser.expectSaslResponse();
    parser.reset();
    assertThat(parse(parser, "a02 NOOP\r\n")).containsExactly("CMD a02 NOOP");
  }

  @Test
  void takeRequestWithoutARequestFails() {
    assertThatThrownBy(() -> new ImapCommandParser(10, 10, KNOWN).takeRequest())
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void requestsNeverPrintTheirArguments() {
    ImapRequest.Command command =
        new ImapRequest.Command("a1", "LOGIN", List.of("user".getBytes(), "hunter2".getBytes()));
    assertThat(command.toString()).doesNotContain("hunter2").contains("args=2");
    assertThat(new ImapRequest.SaslResponse(List.of("c2VjcmV0")).toString()).doesNotContain("c2VjcmV0");
    assertThat(command).isEqualTo(new ImapRequest.Command("a1", "LOGIN",
        List.of("user".getBytes(), "hunter2".getBytes())));
    assertThat(command.hashCode()).isEqualTo(new ImapRequest.Command("a1", "LOGIN",
        List.of("user".getBytes(), "hunter2".getBytes())).hashCode());
  }
}
