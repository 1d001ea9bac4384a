package io.mailgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fake backends' protocol handling, byte by byte, with every buffer accounted for. */
class FakeServersTest {

  private final ByteBuf message = MessageBody.directBuffer(1000);
  private EmbeddedChannel channel;

  @AfterEach
  void release() {
    if (channel != null) {
      channel.finishAndReleaseAll();
    }
    assertThat(message.refCnt()).isEqualTo(1);
    message.release();
  }

  private EmbeddedChannel imap(boolean literalPlus) {
    channel = new EmbeddedChannel(new ImapServerHandler(new BackendSettings(literalPlus, message, 1000, "b")));
    return channel;
  }

  private void send(String text) {
    channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
  }

  private String output() {
    StringBuilder out = new StringBuilder();
    ByteBuf b;
    while ((b = channel.readOutbound()) != null) {
      out.append(b.toString(StandardCharsets.ISO_8859_1));
      b.release();
    }
    return out.toString();
  }

  @Test
  void greetingAdvertisesLiteralPlusOnlyWhenAskedTo() {
    imap(true);
    assertThat(output()).startsWith("* OK [CAPABILITY ").contains(" LITERAL+ ");
    channel.finishAndReleaseAll();
    imap(false);
    assertThat(output()).startsWith("* OK [CAPABILITY ").doesNotContain("LITERAL+");
  }

  @Test
  void loginWithSynchronizingLiteralsGetsContinuationsThenOk() {
    imap(false);
    output();
    send("a1 LOGIN {4}\r\n");
    assertThat(output()).isEqualTo("+ Ready for literal data\r\n");
    send("user {6}\r\n");
    assertThat(output()).isEqualTo("+ Ready for literal data\r\n");
    send("se cre\r\n");
    assertThat(output()).startsWith("a1 OK [CAPABILITY ").endsWith("] Logged in\r\n");
  }

  @Test
  void loginWithAnArgumentMissingIsRejected() {
    imap(true);
    output();
    send("a1 LOGIN {4+}\r\nuser\r\n");
    assertThat(output()).isEqualTo("a1 BAD LOGIN needs a user and a password\r\n");
  }

  @Test
  void authenticateWithoutInitialResponseAsksForIt() {
    imap(true);
    output();
    send("a1 AUTHENTICATE PLAIN\r\n");
    assertThat(output()).isEqualTo("+ \r\n");
    send("AHUAcA==\r\n");
    assertThat(output()).startsWith("a1 OK ");
  }

  @Test
  void fetchSendsTheWholeMessageAsOneLiteral() {
    imap(true);
    output();
    send("a1 UID FETCH 1 BODY[]\r\n");
    String out = output();
    assertThat(out).startsWith("* 1 FETCH (UID 1 BODY[] {1000}\r\nFrom: ").endsWith(")\r\na1 OK FETCH completed\r\n");
    assertThat(out.length()).isEqualTo("* 1 FETCH (UID 1 BODY[] {1000}\r\n".length() + 1000
        + ")\r\na1 OK FETCH completed\r\n".length());
  }

  @Test
  void appendConsumesALiteralSplitAcrossReadsWithoutTakingItForCommands() {
    imap(true);
    output();
    send("a1 APPEND INBOX (\\Seen) {200000+}\r\n");
    String chunk = "a2 NOOP\r\n".repeat(1000);
    for (int sent = 0; sent < 200000; sent += 9000) {
      send(chunk.substring(0, Math.min(9000, 200000 - sent)));
    }
    send("\r\na3 NOOP\r\n");
    assertThat(output()).isEqualTo("a1 OK [APPENDUID 1 2] APPEND completed\r\na3 OK NOOP completed\r\n");
  }

  @Test
  void smtpDataEndsOnlyAtALoneDotEvenWhenSplit() {
    channel = new EmbeddedChannel(new SmtpServerHandler(new BackendSettings(true, message, 1000, "b")));
    output();
    send("DATA\r\n");
    assertThat(output()).startsWith("354 ");
    send("line one\r\n..stuffed\r\n.x\r\n");
    send(".");
    assertThat(output()).isEmpty();
    send("\r\nQUIT\r\n");
    assertThat(output()).isEqualTo("250 2.0.0 Ok: queued as BENCH1\r\n221 2.0.0 Bye\r\n");
  }

  @Test
  void smtpXclientGetsANewGreetingAsFromPostfix() {
    channel = new EmbeddedChannel(new SmtpServerHandler(new BackendSettings(true, message, 1000, "b")));
    output();
    send("EHLO proxy\r\nXCLIENT ADDR=127.0.0.1 LOGIN=u NAME=[UNAVAILABLE]\r\n");
    String out = output();
    assertThat(out).contains("250-XCLIENT ").endsWith("220 b ESMTP fake backend\r\n");
  }

  @Test
  void pop3RetrSendsTheMessageThenTheEndLine() {
    channel = new EmbeddedChannel(new Pop3ServerHandler(new BackendSettings(true, message, 1000, "b")));
    output();
    send("USER u\r\nPASS p\r\nRETR 1\r\n");
    String out = output();
    assertThat(out).startsWith("+OK\r\n+OK Logged in.\r\n+OK 1000 octets\r\nFrom: ").endsWith("\r\n.\r\n");
  }

  @Test
  void messageBodyHasTheExactSizeEndsInCrlfAndNoLineStartsWithADot() {
    for (int size : new int[] {2, 3, 50, 333, 334, 335, 4096, 100_001}) {
      String text = new String(MessageBody.bytes(size), StandardCharsets.ISO_8859_1);
      assertThat(text).hasSize(size).endsWith("\r\n");
      assertThat(text).doesNotContain("\n.").doesNotContain("\r\r");
    }
  }
}
