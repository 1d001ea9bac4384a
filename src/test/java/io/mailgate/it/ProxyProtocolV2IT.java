package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.ProxyUnderTest;
import io.mailgate.testkit.TlsClientOptions;
import io.mailgate.testkit.TlsLineClient;
import io.mailgate.testkit.TlsTestFiles;
import io.netty.buffer.ByteBufUtil;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code proxy_protocol v2} over real sockets, byte for byte: a recording POP3 backend reads the binary header before
 * it greets, for a cleartext client from 127.0.0.9 and for a TLS client that asked for a name by SNI.
 */
class ProxyProtocolV2IT {

  private static final String SIGNATURE = "0d0a0d0a000d0a515549540a";

  @TempDir Path dir;
  ServerSocket backend;
  CompletableFuture<byte[]> header = new CompletableFuture<>();
  FakeAuthServer auth;
  ProxyUnderTest proxy;

  @BeforeEach
  void services() throws Exception {
    backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::serveOnePop3Login, "v2-recorder");
    t.setDaemon(true);
    t.start();
    auth = new FakeAuthServer(request -> FakeAuthServer.ok(backend.getLocalPort()));
  }

  @AfterEach
  void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    auth.close();
    backend.close();
  }

  @AfterAll
  static void noLeaks() throws Exception {
    LeakWatcher.assertNoLeaks();
  }

  /** Reads the header (16 bytes, then the length they name), then says +OK to everything. */
  private void serveOnePop3Login() {
    try (Socket s = backend.accept()) {
      DataInputStream in = new DataInputStream(s.getInputStream());
      byte[] fixed = new byte[16];
      in.readFully(fixed);
      byte[] rest = new byte[((fixed[14] & 0xff) << 8) | (fixed[15] & 0xff)];
      in.readFully(rest);
      byte[] all = new byte[fixed.length + rest.length];
      System.arraycopy(fixed, 0, all, 0, fixed.length);
      System.arraycopy(rest, 0, all, fixed.length, rest.length);
      header.complete(all);
      OutputStream out = s.getOutputStream();
      out.write("+OK ready\r\n".getBytes(StandardCharsets.US_ASCII));
      BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
      while (lines.readLine() != null) {
        out.write("+OK\r\n".getBytes(StandardCharsets.US_ASCII));
      }
    } catch (IOException e) {
      header.completeExceptionally(e);
    }
  }

  private String headerHex() throws Exception {
    return ByteBufUtil.hexDump(header.get(10, TimeUnit.SECONDS));
  }

  private static String hex(String ascii) {
    return ByteBufUtil.hexDump(ascii.getBytes(StandardCharsets.US_ASCII));
  }

  private static String port(int port) {
    return String.format("%04x", port);
  }

  /** The session id the TLV must carry: the one of mailgate's login log line. */
  private static String sessionIdIn(byte[] header) {
    String text = new String(header, StandardCharsets.ISO_8859_1);
    int at = text.indexOf("\u0005\u0000\u0010");
    return text.substring(at + 3, at + 19);
  }

  @Test
  void aCleartextClientsAddressAndPortAndTheListenerArrivePlusTheSessionId() throws Exception {
    proxy = ProxyUnderTest.start(dir, "auth_http http://127.0.0.1:" + auth.port() + "/auth;\n"
        + "server { listen 127.0.0.1:%PORT%; protocol pop3; proxy_protocol v2; }");
    int clientPort;
    try (Socket raw = new Socket()) {
      raw.bind(new java.net.InetSocketAddress("127.0.0.9", 0));
      clientPort = raw.getLocalPort();
      raw.connect(new java.net.InetSocketAddress("127.0.0.1", proxy.port()), 5000);
      raw.setSoTimeout(5000);
      BufferedReader in = new BufferedReader(new InputStreamReader(raw.getInputStream(), StandardCharsets.US_ASCII));
      OutputStream out = raw.getOutputStream();
      assertThat(in.readLine()).startsWith("+OK");
      out.write("USER alice\r\nPASS secret\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(in.readLine()).startsWith("+OK");
      assertThat(in.readLine()).startsWith("+OK");
    }
    byte[] bytes = header.get(10, TimeUnit.SECONDS);
    String session = sessionIdIn(bytes);
    assertThat(session).matches("[0-9a-f]{16}");
    assertThat(headerHex()).isEqualTo(SIGNATURE + "21" + "11" + "001f"
        + "7f000009" + "7f000001" + port(clientPort) + port(proxy.port())
        + "050010" + hex(session));
  }

  @Test
  void aTlsClientAddsItsServerNameAndTheSslTlvWithVersionAndCipher() throws Exception {
    TlsTestFiles files = TlsTestFiles.shared();
    proxy = ProxyUnderTest.start(dir, "auth_http http://127.0.0.1:" + auth.port() + "/auth;\n"
        + "server { listen 127.0.0.1:%PORT% ssl; protocol pop3; proxy_protocol v2; "
        + TlsTestFiles.certificate(files.serverRsa) + " }");
    TlsClientOptions options = files.client().serverName("pop.example.test").protocols("TLSv1.3")
        .cipherSuites("TLS_AES_128_GCM_SHA256");
    try (TlsLineClient c = TlsLineClient.implicit(proxy.port(), options)) {
      assertThat(c.readLine()).startsWith("+OK");
      c.send("USER alice");
      assertThat(c.readLine()).startsWith("+OK");
      c.send("PASS secret");
      assertThat(c.readLine()).startsWith("+OK");
    }
    byte[] bytes = header.get(10, TimeUnit.SECONDS);
    String hex = headerHex();
    // 12 address bytes + authority (3 + 16) + unique id (3 + 16) + SSL (3 + 1 + 4 + 3 + 7 + 3 + 22)
    assertThat(hex.substring(0, 32)).isEqualTo(SIGNATURE + "21" + "11" + "005d");
    assertThat(hex.substring(32, 48)).isEqualTo("7f000001" + "7f000001");
    assertThat(hex.substring(52, 56)).isEqualTo(port(proxy.port()));
    assertThat(hex.substring(56)).isEqualTo(
        "020010" + hex("pop.example.test")
        + "050010" + hex(sessionIdIn(bytes))
        + "200028" + "01" + "00000001"
        + "210007" + hex("TLSv1.3")
        + "230016" + hex("TLS_AES_128_GCM_SHA256"));
  }
}
