package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FaultMatrixTestBase;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.ProxyUnderTest;
import io.mailgate.testkit.ScriptedPeer;
import java.io.InputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fault matrix, auth service (issue 15): an auth_http service that is down, silent, slow, truncated, oversized or
 * wrong, and a keep-alive connection it closes. Each case: the reply nginx gives, one log line saying why, the next
 * client logged in, no leak ({@link FaultMatrixTestBase}).
 */
class AuthServiceFaultsIT extends FaultMatrixTestBase {

  private static final String AUTH_TIMEOUT = "auth_http_timeout 1s;";

  /** One misbehaving auth service: what it does on each connection, what the client gets, what the log says. */
  record Fault(String name, ScriptedPeer.Script script, String reply, String why) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Fault> faults() {
    String okHead = "HTTP/1.0 200 OK\r\nAuth-Status: OK\r\nAuth-Server: 127.0.0.1\r\nAuth-Port: 1\r\n\r\n";
    return Stream.of(
        new Fault("accepts and never answers", s -> ScriptedPeer.drain(s), INTERNAL_ERROR, "timed out"),
        new Fault("answers one byte a second", s -> {
          ScriptedPeer.readHttpHead(s.getInputStream());
          ScriptedPeer.trickle(s, okHead, 1000);
        }, INTERNAL_ERROR, "timed out"),
        new Fault("closes mid-headers", answering("HTTP/1.0 200 OK\r\nAuth-Status: OK\r\nAuth-Ser"),
            INTERNAL_ERROR, "auth http server 127.0.0.1:"),
        new Fault("100 KB of headers", answering("HTTP/1.0 200 OK\r\n" + "X-Padding: " + "p".repeat(1000) + "\r\n"
            + ("X-Padding: " + "p".repeat(1000) + "\r\n").repeat(100) + "Auth-Status: OK\r\n\r\n"),
            INTERNAL_ERROR, "sent too large response"),
        new Fault("a header name with a space", answering("HTTP/1.0 200 OK\r\nAuth Status: OK\r\n\r\n"),
            INTERNAL_ERROR, "sent invalid header in response"),
        new Fault("a header name with a NUL", answering("HTTP/1.0 200 OK\r\nAuth-Sta\0tus: OK\r\n\r\n"),
            INTERNAL_ERROR, "sent invalid header in response"),
        new Fault("no Auth-Server", answering("HTTP/1.0 200 OK\r\nAuth-Status: OK\r\nAuth-Port: 143\r\n\r\n"),
            INTERNAL_ERROR, "did not send server or port"),
        new Fault("no Auth-Port", answering("HTTP/1.0 200 OK\r\nAuth-Status: OK\r\nAuth-Server: 127.0.0.1\r\n\r\n"),
            INTERNAL_ERROR, "did not send server or port"),
        // nginx's ngx_atoi fails on these, so the failure is answered at once and the session closed.
        new Fault("Auth-Wait negative", answering(failure("Auth-Wait: -5")), "a1 NO denied", "denied"),
        new Fault("Auth-Wait garbage", answering(failure("Auth-Wait: soon")), "a1 NO denied", "denied"),
        new Fault("Auth-Wait past a long", answering(failure("Auth-Wait: 99999999999999999999999")),
            "a1 NO denied", "denied"));
  }

  private static String failure(String header) {
    return "HTTP/1.0 200 OK\r\nAuth-Status: denied\r\n" + header + "\r\n\r\n";
  }

  /** Reads the request head, writes {@code response} as it is and closes. */
  private static ScriptedPeer.Script answering(String response) {
    return s -> {
      ScriptedPeer.readHttpHead(s.getInputStream());
      ScriptedPeer.write(s, response);
    };
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("faults")
  void aFaultyAuthServiceGetsTheClientNginxsReplyAndOneLogLine(Fault fault) throws Exception {
    try (ScriptedPeer peer = new ScriptedPeer(fault.script())) {
      startProxyRaw("auth_http http://127.0.0.1:" + peer.port() + "/auth; " + AUTH_TIMEOUT, "");
      long start = System.nanoTime();
      fx.assertLoginAnsweredThenClosed(fault.reply());
      assertThat(millisSince(start)).as("within auth_http_timeout and a margin").isLessThan(3000);
      assertOneLogLineSaying(fault.why());
      peer.respondWith(healthyAuthService());
      assertNextClientLogsIn();
    }
  }

  @Test
  void aRefusedConnectionIsAnInternalErrorAndTheNextClientIsServedOnceTheServiceIsBack() throws Exception {
    int nobody = ProxyUnderTest.freePort();
    startProxyRaw("auth_http http://127.0.0.1:" + nobody + "/auth; " + AUTH_TIMEOUT, "");
    fx.assertLoginAnsweredThenClosed(INTERNAL_ERROR);
    assertOneLogLineSaying("connect() failed");
    try (ScriptedPeer back = new ScriptedPeer(nobody, healthyAuthService())) {
      assertNextClientLogsIn();
    }
  }

  @Test
  void aHugeAuthWaitHoldsTheClientWithoutAnErrorAndFreesTheSessionWhenItLeaves() throws Exception {
    fx.auth.respondWith(r -> io.mailgate.testkit.FakeAuthServer.fail("denied", "Auth-Wait: 999999999999999999"));
    startProxy(AUTH_TIMEOUT, "");
    try (LineClient c = fx.connect()) {
      c.send("a1 LOGIN test@example.com secret");
      assertThat(c.closedWithin(1500)).as("still waiting, not closed").isFalse();
    }
    Thread.sleep(200);
    assertOneLogLineSaying("client login failed");
    fx.auth.respondWith(r -> io.mailgate.testkit.FakeAuthServer.ok(fx.backend.port()));
    assertNextClientLogsIn();
  }

  /** The auth service closes its idle keep-alive connection between two logins: the second gets a new one. */
  @Test
  void aKeepAliveConnectionClosedByTheServiceWhileIdleIsReplacedByANewOne() throws Exception {
    try (ScriptedPeer peer = new ScriptedPeer(s -> {
      ScriptedPeer.readHttpHead(s.getInputStream());
      ScriptedPeer.write(s, okAnswer() + "Content-Length: 0\r\n\r\n");
      Thread.sleep(200); // its keep-alive timeout: closes the connection mailgate has pooled
    })) {
      startProxyRaw("auth_http http://127.0.0.1:" + peer.port() + "/auth; " + AUTH_TIMEOUT, "");
      loginTwiceThroughThe(peer, 400);
    }
  }

  /**
   * The race RFC 9112 §9.3.1 describes: the service closes the pooled connection just as the next request arrives
   * on it, without answering. The login is retried once on a fresh connection and succeeds; nothing is logged as an
   * error.
   */
  @Test
  void aKeepAliveConnectionClosedWhenTheNextRequestArrivesIsRetriedOnANewOne() throws Exception {
    try (ScriptedPeer peer = new ScriptedPeer(s -> {
      InputStream in = s.getInputStream();
      ScriptedPeer.readHttpHead(in);
      ScriptedPeer.write(s, okAnswer() + "Content-Length: 0\r\n\r\n");
      ScriptedPeer.readHttpHead(in); // the second request on this connection: dropped unanswered
    })) {
      startProxyRaw("auth_http http://127.0.0.1:" + peer.port() + "/auth; " + AUTH_TIMEOUT, "");
      loginTwiceThroughThe(peer, 0);
      assertThat(log.text()).contains("pooled connection failed");
    }
  }

  private String okAnswer() {
    return "HTTP/1.1 200 OK\r\nAuth-Status: OK\r\nAuth-Server: 127.0.0.1\r\nAuth-Port: " + fx.backend.port() + "\r\n";
  }

  private void loginTwiceThroughThe(ScriptedPeer peer, int pauseMillis) throws Exception {
    for (int i = 1; i <= 2; i++) {
      try (LineClient c = fx.connect()) {
        c.send("k" + i + " LOGIN test@example.com secret");
        assertThat(c.readLine()).as("login " + i).isEqualTo("k" + i + " OK LOGIN completed");
      }
      Thread.sleep(pauseMillis);
    }
    assertThat(peer.accepted()).as("connections to the auth service").isEqualTo(2);
    assertThat(log.atLeast(io.mailgate.config.LogLevel.WARN)).as("nothing worth a warning").isEmpty();
    assertNextClientLogsIn();
  }
}
