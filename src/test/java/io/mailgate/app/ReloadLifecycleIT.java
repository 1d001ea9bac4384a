package io.mailgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.config.ConfigLoader;
import io.mailgate.config.LogLevel;
import io.mailgate.log.ErrorLogs;
import io.mailgate.session.LoginResources;
import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.FakeImapBackend;
import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.ProxyUnderTest;
import io.mailgate.testkit.TestPki;
import io.mailgate.testkit.TlsClientOptions;
import io.mailgate.testkit.TlsLineClient;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a reload leaves behind, in-process so the old configurations can be watched: a configuration stays open while
 * a session accepted under it is still logging in, closes once that session relays or goes, and after a thousand
 * reloads with TLS (a certificate, key and BoringSSL context per reload) none of the old ones is still reachable
 * (their TLS contexts are released with them) and no thread is left behind.
 */
class ReloadLifecycleIT {

  @TempDir Path dir;

  private FakeImapBackend backend;
  private FakeAuthServer auth;
  private Mailgate mailgate;
  private int tlsPort;
  private TestPki pki;
  private TestPki.Pair pair;

  @BeforeEach
  void start() throws Exception {
    backend = new FakeImapBackend();
    auth = new FakeAuthServer(request -> FakeAuthServer.ok(backend.port()));
    tlsPort = ProxyUnderTest.freePort();
    pki = TestPki.create(dir);
    pair = pki.server(TestPki.KeyType.ECDSA, "mail.test");
    Path conf = dir.resolve("mailgate.conf");
    Files.writeString(conf, "pid off;\nerror_log stderr warn;\nevents {}\nmail {\n"
        + "  auth_http 127.0.0.1:" + auth.port() + "/auth;\n"
        + "  server { listen 127.0.0.1:" + tlsPort + " ssl; protocol imap; ssl_certificate " + pair.certificate()
        + "; ssl_certificate_key " + pair.key() + "; }\n}\n");
    ErrorLogs.configureStderr(LogLevel.WARN);
    LeakWatcher.install();
    mailgate = new Mailgate(ConfigLoader.load(conf, dir, n -> { }), List.of());
    mailgate.start();
  }

  @AfterEach
  void stop() throws Exception {
    mailgate.stop();
    auth.close();
    backend.close();
    ErrorLogs.configureStderr(LogLevel.DEBUG);
  }

  private TlsLineClient greeted() throws Exception {
    TlsLineClient c = TlsLineClient.implicit(tlsPort, TlsClientOptions.trusting(pki.ca().x509()));
    assertThat(c.readLine()).isEqualTo("* OK IMAP4 ready");
    return c;
  }

  @Test
  void anOldConfigurationClosesWhenItsLastSessionStopsLoggingIn() throws Exception {
    Generation first = mailgate.currentGeneration();
    try (TlsLineClient preLogin = greeted(); TlsLineClient relaying = greeted()) {
      assertThat(mailgate.reload().ok()).isTrue();
      assertThat(mailgate.generation()).isEqualTo(2);
      assertThat(first.closed()).as("two sessions accepted under it have not logged in").isFalse();
      relaying.send("a1 LOGIN alice secret");
      assertThat(relaying.readLine()).isEqualTo("a1 OK LOGIN completed");
      // Logged in on the old configuration's auth service; relaying needs none of it any more.
      assertThat(first.closed()).isFalse();
      preLogin.close();
      awaitClosed(first);
      relaying.send("a2 NOOP");
      assertThat(relaying.readLine()).isEqualTo("a2 OK NOOP completed");
    }
  }

  @Test
  void aThousandReloadsLeaveNoConfigurationTlsContextOrThreadBehind() throws Exception {
    long threadsBefore = mailgateThreads();
    Generation first = mailgate.currentGeneration();
    // Each configuration's count of users, held strongly: it references neither the runtimes nor the TLS contexts.
    List<LoginResources> counts = new ArrayList<>();
    // A server's runtime holds its TLS contexts (certificate, key, BoringSSL context): sessions reach it, not the
    // Generation, so it is what must go.
    List<WeakReference<Object>> runtimes = new ArrayList<>();
    List<TlsLineClient> relaying = new ArrayList<>();
    List<TlsLineClient> preLogin = new ArrayList<>();
    long started = System.nanoTime();
    try {
      for (int i = 0; i < 1000; i++) {
        counts.add(mailgate.currentGeneration().servers().get(0).resources());
        runtimes.add(new WeakReference<>(mailgate.currentGeneration().servers().get(0)));
        if (i % 100 == 0) {
          // A session that relays for the rest of the test, and one that stays before login until near the end.
          TlsLineClient relay = greeted();
          relay.send("a1 LOGIN alice secret");
          assertThat(relay.readLine()).isEqualTo("a1 OK LOGIN completed");
          relaying.add(relay);
          preLogin.add(greeted());
        }
        assertThat(mailgate.reload().ok()).isTrue();
      }
      long reloadMillis = (System.nanoTime() - started) / 1_000_000;
      System.out.println("1000 reloads with TLS: " + reloadMillis + " ms");
      assertThat(mailgate.generation()).isEqualTo(1001);
      assertThat(first.closed()).as("a session accepted under it is still before login").isFalse();
      first = null;
      for (TlsLineClient c : preLogin) {
        c.close();
      }
      for (LoginResources count : counts.subList(0, 1000)) {
        awaitClosed(count);
      }
      assertThat(mailgate.currentGeneration().closed()).isFalse();
      // Ten sessions still relay, on connections accepted under ten old configurations: they must pin none of them.
      long reachable = reachableAfterGc(runtimes);
      System.out.println("old server runtimes (with their TLS contexts) reachable after GC while 10 sessions relay: "
          + reachable + " of 1000");
      assertThat(reachable).isZero();
      for (int i = 0; i < relaying.size(); i++) {
        relaying.get(i).send("n" + i + " NOOP");
        assertThat(relaying.get(i).readLine()).isEqualTo("n" + i + " OK NOOP completed");
      }
      // Event loops, the control thread and the shared pools only: a reload starts no thread of its own that stays.
      assertThat(mailgateThreads()).isLessThanOrEqualTo(threadsBefore + 2);
    } finally {
      for (TlsLineClient c : relaying) {
        c.close();
      }
      for (TlsLineClient c : preLogin) {
        c.close();
      }
    }
  }

  /** mailgate's own threads (the test's fake servers have their own names). */
  private static long mailgateThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("mailgate")).count();
  }

  private static long reachableAfterGc(List<? extends WeakReference<?>> refs) throws InterruptedException {
    long reachable = refs.size();
    for (int round = 0; round < 50 && reachable > 0; round++) {
      System.gc();
      reachable = refs.stream().filter(ref -> ref.get() != null).count();
      if (reachable > 0) {
        Thread.sleep(100);
      }
    }
    return reachable;
  }

  private static void awaitClosed(Generation generation) throws InterruptedException {
    awaitClosed(generation.servers().get(0).resources());
  }

  private static void awaitClosed(LoginResources resources) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (!resources.closed() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(resources.closed()).isTrue();
  }
}
