package io.mailgate.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SmtpReplyTest {

  @Test
  void aMultiLineReplyCompletesAtItsLastLine() {
    SmtpReply.Assembler assembler = new SmtpReply.Assembler();
    assertThat(assembler.add("250-backend.example")).isEmpty();
    assertThat(assembler.add("250-SIZE 1000")).isEmpty();
    SmtpReply reply = assembler.add("250 XCLIENT NAME ADDR").orElseThrow();
    assertThat(reply.code()).isEqualTo(250);
    assertThat(reply.ehloKeywords()).containsExactly("SIZE", "XCLIENT");
    assertThat(reply.wire()).isEqualTo("250-backend.example\r\n250-SIZE 1000\r\n250 XCLIENT NAME ADDR\r\n");
    assertThat(assembler.add("220").orElseThrow().lines()).isEqualTo(List.of("220"));
  }

  @Test
  void ehloParametersAreTheWordsAfterTheKeyword() {
    SmtpReply reply = new SmtpReply(250, List.of("250-backend.example", "250-XCLIENTX A", "250-xclient NAME  ADDR ",
        "250-XFORWARD NAME", "250 SIZE"));
    assertThat(reply.ehloParameters("XCLIENT")).contains(List.of("NAME", "ADDR"));
    assertThat(reply.ehloParameters("SIZE")).contains(List.of());
    assertThat(reply.ehloParameters("STARTTLS")).isEmpty();
    // The greeting line is no extension, whatever it says.
    assertThat(new SmtpReply(250, List.of("250 XCLIENT NAME")).ehloParameters("XCLIENT")).isEmpty();
  }

  @Test
  void aLineThatIsNoReplyIsRefused() {
    SmtpReply.Assembler assembler = new SmtpReply.Assembler();
    assertThatThrownBy(() -> assembler.add("* OK imap")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> assembler.add("250x")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void endlessContinuationLinesAreRefused() {
    SmtpReply.Assembler assembler = new SmtpReply.Assembler();
    for (int i = 1; i < SmtpReply.Assembler.MAX_LINES; i++) {
      assembler.add("250-x");
    }
    assertThatThrownBy(() -> assembler.add("250-x")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void capabilityKeywordsStopAtSpaceOrEquals() {
    assertThat(SmtpCapabilities.keyword("size 1000")).isEqualTo("SIZE");
    assertThat(SmtpCapabilities.keyword("AUTH=PLAIN")).isEqualTo("AUTH");
  }
}
