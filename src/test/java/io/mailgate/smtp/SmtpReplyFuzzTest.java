package io.mailgate.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Backend reply lines collected by {@link SmtpReply.Assembler}, as {@link SmtpBackendLogin} reads them. */
class SmtpReplyFuzzTest {

  /**
   * Any lines give replies, waiting, or the documented {@link IllegalArgumentException}; a reply has the code of its
   * last line and at most {@link SmtpReply.Assembler#MAX_LINES} lines, its EHLO view never throws, and its
   * {@link SmtpReply#wire()} form read again is the same reply.
   */
  @FuzzTest(maxDuration = "5s")
  void linesGiveRepliesThatReadBackTheSame(byte[] input) {
    SmtpReply.Assembler assembler = new SmtpReply.Assembler();
    for (String line : new String(input, StandardCharsets.ISO_8859_1).split("\r\n", -1)) {
      Optional<SmtpReply> reply;
      try {
        reply = assembler.add(line);
      } catch (IllegalArgumentException refused) {
        assertThat(refused).hasMessageMatching("not an SMTP reply line|too many reply lines");
        continue;
      }
      reply.ifPresent(SmtpReplyFuzzTest::checkReply);
    }
  }

  private static void checkReply(SmtpReply reply) {
    assertThat(reply.lines()).isNotEmpty().hasSizeLessThanOrEqualTo(SmtpReply.Assembler.MAX_LINES);
    assertThat(reply.code()).isEqualTo(Integer.parseInt(reply.lastLine().substring(0, 3)));
    for (String keyword : reply.ehloKeywords()) {
      assertThat(keyword).isEqualTo(keyword.toUpperCase(Locale.ROOT));
      reply.ehloParameters(keyword).ifPresent(parameters -> assertThat(parameters).doesNotContain(""));
    }
    SmtpReply.Assembler again = new SmtpReply.Assembler();
    List<SmtpReply> replies = new ArrayList<>();
    String wire = reply.wire();
    for (String line : wire.substring(0, wire.length() - 2).split("\r\n", -1)) {
      again.add(line).ifPresent(replies::add);
    }
    assertThat(replies).containsExactly(reply);
  }
}
