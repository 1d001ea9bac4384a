package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.ImapProxyTestBase;
import io.mailgate.testkit.LineClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The backend connection follows the client's: a client that leaves during the backend login takes the backend
 * connection with it (long before {@code timeout}), and one that leaves a proxied session closes it too.
 */
class BackendLifecycleIT extends ImapProxyTestBase {

  @Test
  void aClientLeavingDuringTheBackendLoginClosesTheBackendConnection() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      fx.start("timeout 30s;");
      fx.auth.respondWith(request -> FakeAuthServer.ok(silent.getLocalPort()));
      Socket backendSide;
      try (LineClient c = fx.connect()) {
        c.send("a1 LOGIN test@example.com secret");
        silent.setSoTimeout(5000);
        backendSide = silent.accept(); // the proxy is now waiting for a greeting that never comes
      }
      try (backendSide) {
        assertThat(closedByPeerWithin(backendSide, 5000)).isTrue();
      }
    }
  }

  @Test
  void aClientLeavingAProxiedSessionClosesTheBackendConnection() throws Exception {
    try (ServerSocket backend = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      fx.start("proxy_timeout 30s;");
      fx.auth.respondWith(request -> FakeAuthServer.ok(backend.getLocalPort()));
      Socket backendSide;
      try (LineClient c = fx.connect()) {
        c.send("a1 LOGIN test@example.com secret");
        backend.setSoTimeout(5000);
        backendSide = backend.accept();
        send(backendSide, "* OK [CAPABILITY IMAP4rev1 LITERAL+] ready");
        String login = readLine(backendSide.getInputStream());
        String tag = login.substring(0, login.indexOf(' '));
        send(backendSide, tag + " OK done");
        assertThat(c.readLine()).startsWith("a1 OK");
      }
      try (backendSide) {
        assertThat(closedByPeerWithin(backendSide, 5000)).isTrue();
      }
    }
  }

  /** True when the peer closes (end of stream) within the time; input before that is skipped. */
  private static boolean closedByPeerWithin(Socket socket, int millis) throws IOException {
    socket.setSoTimeout(millis);
    try {
      InputStream in = socket.getInputStream();
      while (in.read() >= 0) {
        // whatever the proxy still sends (e.g. nothing) is not the point
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    }
  }

  private static void send(Socket socket, String line) throws IOException {
    socket.getOutputStream().write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }
}
