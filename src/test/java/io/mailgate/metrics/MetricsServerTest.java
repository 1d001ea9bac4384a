package io.mailgate.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.config.MetricsListen;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.transport.Transport;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The metrics HTTP server over a raw socket: keep-alive, idle close, oversized requests. */
class MetricsServerTest {

  private MetricsServer server;
  private int port;

  @BeforeEach
  void start() throws Exception {
    LeakWatcher.install();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ProxyMetrics metrics = new ProxyMetrics(registry, registry, "t", false);
    Health health = new Health(metrics);
    health.serving(true);
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    server = new MetricsServer(Transport.detect(), metrics, health, 1);
    server.apply(Optional.of(new MetricsListen(new InetSocketAddress("127.0.0.1", port), "127.0.0.1:" + port)));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @AfterAll
  static void noLeaks() throws Exception {
    LeakWatcher.assertNoLeaks();
  }

  private Socket connect() throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(5000);
    return s;
  }

  /** One response head and body, read by its Content-Length. */
  private static String readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    int b;
    while (matched < 4 && (b = in.read()) >= 0) {
      head.write(b);
      matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    int length = 0;
    for (String line : text.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }

  @Test
  void keepsTheConnectionForTheNextRequest() throws Exception {
    try (Socket s = connect()) {
      s.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200 OK").endsWith("live\n");
      s.getOutputStream().write("GET /health/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200 OK").endsWith("ready\n");
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
  }

  @Test
  void closesAnIdleConnection() throws Exception {
    try (Socket s = connect()) {
      long start = System.nanoTime();
      assertThat(s.getInputStream().read()).isEqualTo(-1);
      assertThat((System.nanoTime() - start) / 1_000_000).isBetween(700L, 4000L);
    }
  }

  @Test
  void refusesAnOversizedRequest() throws Exception {
    try (Socket s = connect()) {
      s.getOutputStream().write(("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 413");
    }
  }

  @Test
  void headIsNotAllowed() throws Exception {
    try (Socket s = connect()) {
      s.getOutputStream().write("HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 405").contains("allow: GET");
    }
  }
}
