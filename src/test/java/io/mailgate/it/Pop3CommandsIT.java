package io.mailgate.it;

import static io.mailgate.testkit.Pop3ProxyFixture.b64;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.Pop3ProxyTestBase;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The POP3 AUTHORIZATION state before any login: CAPA, AUTH lists, NOOP, QUIT, errors and limits. */
class Pop3CommandsIT extends Pop3ProxyTestBase {

  private static final String INVALID = "-ERR invalid command";

  /** Lines up to and including the terminating ".". */
  private static List<String> multiLine(LineClient c) throws Exception {
    List<String> lines = new ArrayList<>();
    String line;
    do {
      line = c.readLine();
      lines.add(line);
    } while (line != null && !line.equals("."));
    return lines;
  }

  @Test
  void capaListsTheDefaultCapabilitiesAndPlainAlsoEnablesLogin() throws Exception {
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send("CAPA");
      assertThat(multiLine(c)).containsExactly("+OK Capability list follows", "TOP", "USER", "UIDL",
          "SASL PLAIN LOGIN", ".");
    }
  }

  @Test
  void capaListsMechanismsInNginxOrderWhateverTheDirectiveOrder() throws Exception {
    fx.start("pop3_auth oauthbearer xoauth2 external cram-md5 apop plain; pop3_capabilities TOP UIDL \"EXPIRE NEVER\";");
    try (LineClient c = fx.connect()) {
      c.send("capa");
      assertThat(multiLine(c)).containsExactly("+OK Capability list follows", "TOP", "UIDL", "EXPIRE NEVER",
          "SASL PLAIN LOGIN CRAM-MD5 EXTERNAL XOAUTH2 OAUTHBEARER", ".");
      c.send("AUTH");
      assertThat(multiLine(c)).containsExactly("+OK methods supported:", "PLAIN", "LOGIN", "CRAM-MD5", "EXTERNAL",
          "XOAUTH2", "OAUTHBEARER", ".");
    }
  }

  @Test
  void withOnlyApopTheSaslLineIsEmptyAsInNginx() throws Exception {
    fx.start("pop3_auth apop;");
    try (LineClient c = fx.connect()) {
      c.send("CAPA");
      assertThat(multiLine(c)).containsExactly("+OK Capability list follows", "TOP", "USER", "UIDL", "SASL", ".");
      c.send("AUTH");
      assertThat(multiLine(c)).containsExactly("+OK methods supported:", ".");
    }
  }

  @Test
  void noopAnswersOkAndQuitAnswersOkThenCloses() throws Exception {
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send("NOOP");
      assertThat(c.readLine()).isEqualTo("+OK");
      c.sendRaw("QUIT\r\nNOOP\r\n");
      assertThat(c.readLine()).isEqualTo("+OK");
      assertThat(c.closedWithin(3000)).isTrue();
    }
  }

  @Test
  void stlsAndTransactionCommandsAreInvalid() throws Exception {
    fx.start("max_errors 10;", "");
    try (LineClient c = fx.connect()) {
      for (String command : List.of("STLS", "STAT", "LIST", "RETR 1", "UIDL")) {
        c.send(command);
        assertThat(c.readLine()).as(command).isEqualTo(INVALID);
      }
    }
  }

  @Test
  void passWithoutUserAndUserTwiceAreInvalid() throws Exception {
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.send("PASS secret");
      assertThat(c.readLine()).isEqualTo(INVALID);
      c.send("USER a");
      assertThat(c.readLine()).isEqualTo("+OK");
      c.send("CAPA");
      assertThat(multiLine(c)).first().isEqualTo("+OK Capability list follows");
      c.send("NOOP");
      assertThat(c.readLine()).isEqualTo("+OK");
      c.send("USER b");
      assertThat(c.readLine()).isEqualTo(INVALID);
      c.send("PASS secret");
      assertThat(c.readLine()).isEqualTo(INVALID);
      c.send("USER");
      assertThat(c.readLine()).isEqualTo(INVALID);
    }
    assertThat(fx.auth.requests()).isEmpty();
  }

  @Test
  void maxErrorsClosesAfterTheLastErrorReply() throws Exception {
    fx.start("max_errors 2;", "");
    try (LineClient c = fx.connect()) {
      c.send("FOO");
      assertThat(c.readLine()).isEqualTo(INVALID);
      c.send("BAR");
      assertThat(c.readLine()).isEqualTo(INVALID);
      assertThat(c.closedWithin(3000)).isTrue();
    }
    try (LineClient c = fx.connect()) {
      c.sendRaw("FOO\r\nBAR\r\nBAZZ\r\n");
      assertThat(c.readLine()).isEqualTo(INVALID);
      assertThat(c.readLine()).isEqualTo(INVALID);
      assertThat(c.readLine()).isNull();
    }
  }

  @Test
  void aLongAuthLineCarriesA4KbTokenWhilePop3ClientBufferIs128() throws Exception {
    String token = "t".repeat(4096);
    fx.auth.respondWith(r -> token.equals(r.header("Auth-Pass"))
        ? io.mailgate.testkit.FakeAuthServer.ok(fx.backend.port(), "Auth-Pass: secret")
        : io.mailgate.testkit.FakeAuthServer.fail("bad token"));
    fx.start("pop3_auth plain xoauth2 oauthbearer; pop3_client_buffer 128;");
    try (LineClient c = fx.connect()) {
      c.send("AUTH XOAUTH2 " + b64("user=test@example.com\1auth=Bearer " + token + "\1\1"));
      assertThat(c.readLine()).isEqualTo("+OK pass ok");
    }
    try (LineClient c = fx.connect()) {
      c.send("AUTH OAUTHBEARER");
      assertThat(c.readLine()).isEqualTo("+ ");
      c.send(b64("n,a=test@example.com,\1auth=Bearer " + token + "\1\1"));
      assertThat(c.readLine()).isEqualTo("+OK pass ok");
    }
  }

  @Test
  void aCommandLongerThanPop3ClientBufferIsRefusedAndCloses() throws Exception {
    fx.start("pop3_client_buffer 128;");
    try (LineClient c = fx.connect()) {
      c.send("USER " + "u".repeat(200));
      assertThat(c.readLine()).isEqualTo(INVALID);
      assertThat(c.closedWithin(3000)).isTrue();
    }
    assertThat(fx.auth.requests()).isEmpty();
  }

  @Test
  void aLargerPop3ClientBufferAcceptsLongerCommands() throws Exception {
    fx.start("pop3_client_buffer 1k;");
    try (LineClient c = fx.connect()) {
      c.send("USER " + "u".repeat(600));
      assertThat(c.readLine()).isEqualTo("+OK");
    }
  }

  @Test
  void nulAndBareCrMakeALineInvalidSoTheyNeverReachTheAuthService() throws Exception {
    fx.start("");
    try (LineClient c = fx.connect()) {
      c.sendRaw("USER test@example.com\0x\r\n");
      assertThat(c.readLine()).isEqualTo(INVALID);
      c.sendRaw("USER test@example.com\r\nPASS se\rcret\r\n");
      assertThat(c.readLines(2)).containsExactly("+OK", INVALID);
    }
    assertThat(fx.auth.requests()).isEmpty();
  }

  @Test
  void theClientTimeoutEndsAnIdleSession() throws Exception {
    fx.start("timeout 500ms;", "");
    try (LineClient c = fx.connect()) {
      assertThat(c.closedWithin(3000)).isTrue();
    }
  }
}
