package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.LogCapture;
import io.mailgate.testkit.Pop3ProxyTestBase;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code proxy_client_identity on} for POP3: a recording backend gets the exact XCLIENT line (ADDR/PORT of the client,
 * which connects from 127.0.0.8, mailgate's session id, TTL 4) before USER, when its greeting carries Dovecot's
 * {@code [XCLIENT]} or its CAPA lists XCLIENT; otherwise none; a refused XCLIENT still lets the client in.
 */
class Pop3XclientIT extends Pop3ProxyTestBase {

  private static final String CLIENT_ADDRESS = "127.0.0.8";
  private static final String ON = "proxy_client_identity on;";
  private static final Pattern ACCEPT =
      Pattern.compile("accept: " + Pattern.quote(CLIENT_ADDRESS) + " on \\S+, session: ([0-9a-f]{16})");

  /** The client's port and mailgate's session id, as XCLIENT should name them. */
  private record Login(int clientPort, String sessionId) {
    String xclient() {
      return "XCLIENT ADDR=" + CLIENT_ADDRESS + " PORT=" + clientPort + " SESSION=" + sessionId + " TTL=4";
    }
  }

  /** USER/PASS from 127.0.0.8 through mailgate; the client must get the backend's +OK whatever XCLIENT's fate. */
  private Login logIn(LogCapture log) throws Exception {
    try (LineClient c = new LineClient(CLIENT_ADDRESS, fx.port())) {
      assertThat(c.readLine()).isEqualTo("+OK POP3 ready");
      c.send("USER test@example.com");
      assertThat(c.readLine()).isEqualTo("+OK");
      c.send("PASS secret");
      assertThat(c.readLine()).isEqualTo("+OK pass ok");
      c.send("QUIT");
      assertThat(c.readLine()).isEqualTo("+OK quit ok");
      Matcher accept = ACCEPT.matcher(log.text());
      assertThat(accept.find()).as("accept line in\n%s", log.text()).isTrue();
      return new Login(c.localPort(), accept.group(1));
    }
  }

  @Test
  void dovecotsGreetingTagGetsXclientRightBeforeUser() throws Exception {
    fx.backend.greeting("+OK [XCLIENT] Dovecot (Debian) ready.").xclientReply("+OK Updated");
    fx.start(ON);
    try (LogCapture log = LogCapture.onRootAtDebug()) {
      Login login = logIn(log);
      assertThat(fx.backend.received())
          .containsExactly(login.xclient(), "USER test@example.com", "PASS secret", "QUIT");
      assertThat(log.text()).doesNotContain("upstream refused XCLIENT");
    }
  }

  @Test
  void aCapaListingXclientGetsItAfterCapa() throws Exception {
    fx.backend.capabilities("USER", "XCLIENT", "UIDL").xclientReply("+OK Updated");
    fx.start(ON);
    try (LogCapture log = LogCapture.onRootAtDebug()) {
      Login login = logIn(log);
      assertThat(fx.backend.received())
          .containsExactly("CAPA", login.xclient(), "USER test@example.com", "PASS secret", "QUIT");
    }
  }

  @Test
  void aBackendOfferingNeitherGetsCapaThenTheUsualLogin() throws Exception {
    fx.backend.capabilities("USER", "PIPELINING", "UIDL");
    fx.start(ON);
    try (LogCapture log = LogCapture.onRootAtDebug()) {
      logIn(log);
      assertThat(fx.backend.received()).containsExactly("CAPA", "USER test@example.com", "PASS secret", "QUIT");
    }
  }

  @Test
  void aRefusedXclientIsWarnedOnceAndTheClientStillGetsIn() throws Exception {
    fx.backend.greeting("+OK [XCLIENT] ready").xclientReply("-ERR Invalid parameters");
    fx.start(ON);
    try (LogCapture log = LogCapture.onRootAtDebug()) {
      Login login = logIn(log);
      assertThat(fx.backend.received())
          .containsExactly(login.xclient(), "USER test@example.com", "PASS secret", "QUIT");
      List<String> warnings = log.events().stream().filter(e -> e.contains("XCLIENT")).toList();
      assertThat(warnings).singleElement().asString()
          .contains("upstream refused XCLIENT (\"-ERR Invalid parameters\")")
          .contains("session: " + login.sessionId());
    }
  }

  @Test
  void offSendsNothingButTheLoginWhateverTheBackendOffers() throws Exception {
    fx.backend.greeting("+OK [XCLIENT] Dovecot (Debian) ready.").capabilities("XCLIENT").xclientReply("+OK Updated");
    fx.start("");
    try (LogCapture log = LogCapture.onRootAtDebug()) {
      logIn(log);
      assertThat(fx.backend.received()).containsExactly("USER test@example.com", "PASS secret", "QUIT");
    }
  }
}
