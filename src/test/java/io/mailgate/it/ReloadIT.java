package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.MailgateProcess;
import io.mailgate.testkit.ProxyUnderTest;
import io.mailgate.testkit.TestPki;
import io.mailgate.testkit.TlsClientOptions;
import io.mailgate.testkit.TlsLineClient;
import java.io.IOException;
import java.math.BigInteger;
import java.net.ConnectException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Configuration reload on a real {@code bin/mailgate} process ({@code -s reload}, HUP), with a scripted auth service
 * and a fake IMAP backend: sessions keep relaying, new connections get the new settings, a bad configuration changes
 * nothing, listeners come and go, renewed certificates are served, and no connection is refused across the switch.
 */
class ReloadIT extends MailgateProcessTestBase {

  /** A configuration whose SMTP greeting and IMAP capabilities name {@code generation}. */
  private String config(String generation, String extraServers) {
    return "error_log " + dir.resolve("error.log") + " info;\n"
        + "events { worker_connections 1024; }\n"
        + "mail {\n"
        + "  auth_http 127.0.0.1:" + auth.port() + "/auth;\n"
        + "  server_name " + generation + ".example;\n"
        + "  server { listen 127.0.0.1:" + imapPort + "; protocol imap; imap_capabilities IMAP4rev1 "
        + generation.toUpperCase() + "; }\n"
        + "  server { listen 127.0.0.1:" + smtpPort + "; protocol smtp; smtp_auth plain; }\n"
        + extraServers
        + "}\n";
  }

  /** One relayed command and its exact answer: {@code n} bytes of data between the literal and the tagged OK. */
  private static void fetch(LineClient c, String tag, int n) throws IOException {
    c.send(tag + " XBIG " + n);
    assertThat(c.readLine()).isEqualTo("* XBIG {" + n + "}");
    String data = c.readLine();
    assertThat(data).hasSize(n).matches("x*");
    assertThat(c.readLine()).isEqualTo(tag + " OK XBIG completed");
  }

  private String smtpGreeting() throws IOException {
    try (LineClient c = new LineClient(smtpPort)) {
      return c.readLine();
    }
  }

  private String imapCapability() throws IOException {
    try (LineClient c = new LineClient(imapPort)) {
      c.readLine();
      c.send("c1 CAPABILITY");
      return c.readLine();
    }
  }

  @Test
  void hundredRelayingSessionsKeepEveryByteAcrossAReloadAndNewConnectionsGetTheNewSettings() throws Exception {
    mailgate = MailgateProcess.start(dir, config("one", ""));
    assertThat(smtpGreeting()).isEqualTo("220 one.example ESMTP ready");
    List<LineClient> clients = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(100);
    try {
      for (int i = 0; i < 100; i++) {
        clients.add(loggedIn());
      }
      long loginsBefore = backendLogins();
      AtomicBoolean reloaded = new AtomicBoolean();
      AtomicLong bytes = new AtomicLong();
      List<Future<Integer>> rounds = new ArrayList<>();
      for (LineClient c : clients) {
        rounds.add(pool.submit(() -> {
          int done = 0;
          // Keep relaying until the reload is over, then two rounds more on the same connection.
          int after = 0;
          while (after < 2) {
            fetch(c, "f" + done, 65_536);
            bytes.addAndGet(65_536);
            done++;
            if (reloaded.get()) {
              after++;
            }
          }
          return done;
        }));
      }
      mailgate.rewriteConfig(config("two", ""));
      MailgateProcess.Result reload = mailgate.control("reload");
      assertThat(reload.exit()).as(reload.output()).isZero();
      reloaded.set(true);
      long total = 0;
      for (Future<Integer> round : rounds) {
        total += round.get(60, TimeUnit.SECONDS);
      }
      assertThat(bytes.get()).isEqualTo(total * 65_536);
      // No session was re-connected: the backend saw only the 100 logins (and none since).
      assertThat(backendLogins()).isEqualTo(loginsBefore).isEqualTo(100);
      assertThat(smtpGreeting()).isEqualTo("220 two.example ESMTP ready");
      assertThat(imapCapability()).isEqualTo("* CAPABILITY IMAP4rev1 TWO AUTH=PLAIN");
      for (LineClient c : clients) {
        c.send("z LOGOUT");
        assertThat(c.readLine()).isEqualTo("* BYE fake logging out");
      }
      assertThat(mailgate.logLines("error.log")).anyMatch(l -> l.contains("configuration reloaded (generation 2)"));
    } finally {
      pool.shutdownNow();
      for (LineClient c : clients) {
        c.close();
      }
    }
  }

  @Test
  void aBadConfigurationChangesNothingAndReloadSaysWhy() throws Exception {
    mailgate = MailgateProcess.start(dir, config("one", ""));
    try (LineClient relaying = loggedIn()) {
      mailgate.rewriteConfig(config("two", "  bogus_directive on;\n"));
      MailgateProcess.Result syntax = mailgate.control("reload");
      // -s reload parses the file to find the pid file, as nginx does: the error names the file and line.
      assertThat(syntax.exit()).isEqualTo(1);
      assertThat(syntax.output()).contains("unknown directive \"bogus_directive\" in " + mailgate.config() + ":9");

      // A file named by a valid configuration is missing: only the running mailgate finds out, and says so.
      mailgate.rewriteConfig(config("two", "  server { listen 127.0.0.1:" + ProxyUnderTest.freePort()
          + " ssl; protocol imap; ssl_certificate " + dir.resolve("missing.crt") + "; ssl_certificate_key "
          + dir.resolve("missing.key") + "; }\n"));
      MailgateProcess.Result missing = mailgate.control("reload");
      assertThat(missing.exit()).isEqualTo(1);
      assertThat(missing.output()).contains("reload failed").contains("missing.crt")
          .contains(mailgate.config() + ":9");
      assertThat(mailgate.logLines("error.log"))
          .anyMatch(l -> l.contains("[emerg]") && l.contains("missing.crt") && l.contains(mailgate.config() + ":9"))
          .anyMatch(l -> l.contains("reload failed, the running configuration stays"));

      // Sending HUP by hand (no -s) with the broken file: logged, and nothing changes either.
      mailgate.rewriteConfig(config("two", "  server { listen 127.0.0.1:" + imapPort + "; protocol pop3; }\n"));
      mailgate.signal("HUP");
      awaitLog(l -> l.contains("[emerg]") && l.contains("duplicate \"127.0.0.1:" + imapPort + "\" address and port pair"));
      assertThat(smtpGreeting()).isEqualTo("220 one.example ESMTP ready");
      fetch(relaying, "r1", 1000);

      mailgate.rewriteConfig(config("two", ""));
      assertThat(mailgate.control("reload").exit()).isZero();
      assertThat(smtpGreeting()).isEqualTo("220 two.example ESMTP ready");
      fetch(relaying, "r2", 1000);
    }
  }

  @Test
  void listenersAreAddedAndRemovedWhileTheirSessionsGoOn() throws Exception {
    int extraPort = ProxyUnderTest.freePort();
    mailgate = MailgateProcess.start(dir, config("one", ""));
    assertThat(canConnect(extraPort)).isFalse();
    mailgate.rewriteConfig(config("two", "  server { listen 127.0.0.1:" + extraPort + "; protocol pop3; }\n"));
    assertThat(mailgate.control("reload").exit()).isZero();
    try (LineClient pop3 = new LineClient(extraPort)) {
      assertThat(pop3.readLine()).startsWith("+OK");
    }

    try (LineClient onRemoved = loggedIn(); LineClient preLogin = new LineClient(extraPort)) {
      assertThat(preLogin.readLine()).startsWith("+OK");
      // The IMAP server goes; the POP3 one stays.
      mailgate.rewriteConfig("error_log " + dir.resolve("error.log") + " info;\nevents {}\nmail {\n  auth_http 127.0.0.1:"
          + auth.port() + "/auth;\n  server { listen 127.0.0.1:" + extraPort + "; protocol pop3; }\n}\n");
      assertThat(mailgate.control("reload").exit()).isZero();
      assertThat(canConnect(imapPort)).isFalse();
      // Sessions accepted on the removed listener go on, relaying or not.
      fetch(onRemoved, "g1", 5000);
      preLogin.send("CAPA");
      assertThat(preLogin.readLine()).startsWith("+OK");
    }
    assertThat(mailgate.logLines("error.log")).anyMatch(l -> l.contains("stopped listening on 127.0.0.1:" + imapPort));
  }

  @Test
  void aConnectLoopAcrossTwentyReloadsIsNeverRefused() throws Exception {
    mailgate = MailgateProcess.start(dir, config("one", ""));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong connects = new AtomicLong();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    List<Thread> loops = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      Thread loop = new Thread(() -> {
        while (!stop.get()) {
          try (LineClient c = new LineClient(smtpPort)) {
            String greeting = c.readLine();
            if (greeting == null || !greeting.startsWith("220 ") || !greeting.endsWith(".example ESMTP ready")) {
              failures.add("greeting " + greeting);
            }
            connects.incrementAndGet();
          } catch (IOException e) {
            failures.add(e.toString());
          }
        }
      });
      loop.start();
      loops.add(loop);
    }
    try {
      for (int i = 2; i <= 21; i++) {
        mailgate.rewriteConfig(config("gen" + i, ""));
        long before = connects.get();
        mailgate.signal("HUP");
        int generation = i;
        awaitLog(line -> line.contains("configuration reloaded (generation " + generation + ")"));
        // A hundred connections at least around each switch.
        while (connects.get() < before + 100) {
          Thread.sleep(5);
        }
      }
    } finally {
      stop.set(true);
      for (Thread loop : loops) {
        loop.join(10_000);
      }
    }
    assertThat(failures).isEmpty();
    assertThat(connects.get()).isGreaterThanOrEqualTo(2000);
    assertThat(smtpGreeting()).isEqualTo("220 gen21.example ESMTP ready");
    System.out.println("connect loop across 20 reloads: " + connects.get() + " connects, 0 refused");
  }

  @Test
  void aCertificateRenewedOnDiskIsServedAfterReloadAndOldTlsSessionsGoOn() throws Exception {
    TestPki pki = TestPki.create(dir);
    TestPki.Pair first = pki.server(TestPki.KeyType.RSA, "mail.test");
    int tlsPort = ProxyUnderTest.freePort();
    String tlsServer = "  server { listen 127.0.0.1:" + tlsPort + " ssl; protocol imap; ssl_certificate "
        + first.certificate() + "; ssl_certificate_key " + first.key() + "; }\n";
    mailgate = MailgateProcess.start(dir, config("one", tlsServer));
    TlsClientOptions options = TlsClientOptions.trusting(pki.ca().x509());
    try (TlsLineClient old = TlsLineClient.implicit(tlsPort, options)) {
      assertThat(old.serverCertificate().getSerialNumber()).isEqualTo(first.x509().getSerialNumber());
      assertThat(old.readLine()).isEqualTo("* OK IMAP4 ready");

      // Let's Encrypt style: the same paths get a new certificate and key.
      TestPki.Pair renewed = pki.server(TestPki.KeyType.RSA, "mail.test");
      assertThat(renewed.certificate()).isEqualTo(first.certificate());
      BigInteger renewedSerial = renewed.x509().getSerialNumber();
      assertThat(renewedSerial).isNotEqualTo(first.x509().getSerialNumber());
      assertThat(mailgate.control("reload").exit()).isZero();

      try (TlsLineClient fresh = TlsLineClient.implicit(tlsPort, TlsClientOptions.trusting(pki.ca().x509()))) {
        assertThat(fresh.serverCertificate().getSerialNumber()).isEqualTo(renewedSerial);
        assertThat(fresh.readLine()).isEqualTo("* OK IMAP4 ready");
      }
      // The session that started on the old certificate still works, and logs in on its old settings.
      old.send("a1 LOGIN alice secret");
      assertThat(old.readLine()).isEqualTo("a1 OK LOGIN completed");
      old.send("a2 NOOP");
      assertThat(old.readLine()).isEqualTo("a2 OK NOOP completed");
    }
  }

  private long backendLogins() {
    return backend.received().stream().filter(l -> l.contains(" LOGIN ")).count();
  }

  private static boolean canConnect(int port) {
    try (LineClient c = new LineClient(port)) {
      return true;
    } catch (ConnectException e) {
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  private void awaitLog(java.util.function.Predicate<String> line) throws Exception {
    awaitLog(line, 10_000);
  }

  /** Waits up to {@code millis} for a matching error-log line (0: just look once). */
  private void awaitLog(java.util.function.Predicate<String> line, int millis) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    do {
      if (mailgate.logLines("error.log").stream().anyMatch(line)) {
        return;
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    if (millis > 0) {
      throw new AssertionError("no such error-log line within " + millis + " ms:\n" + mailgate.output());
    }
  }
}
