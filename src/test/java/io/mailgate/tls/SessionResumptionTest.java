package io.mailgate.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.config.TlsConfig;
import io.mailgate.testkit.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two handshakes with {@code openssl s_client -sess_out/-sess_in}: the second says "Reused" or "New". */
class SessionResumptionTest {
  private static final String GREETING = "* OK tls";
  @TempDir
  static Path dir;
  static TestPki.Pair rsa;

  @BeforeAll
  static void pki() {
    rsa = TestPki.create(dir).server(TestPki.KeyType.RSA, "localhost");
  }

  private static boolean reused(ServerTls first, ServerTls second, String protocol) throws Exception {
    Path session = Files.createTempFile(dir, "session", ".pem");
    try (TlsTestServer a = new TlsTestServer(first, false); TlsTestServer b = new TlsTestServer(second, false)) {
      String one = SClient.run(a.port(), GREETING, protocol, "-sess_out", session.toString());
      assertThat(one).contains(GREETING).contains("New, ");
      String two = SClient.run(b.port(), GREETING, protocol, "-sess_in", session.toString());
      assertThat(two).contains(GREETING);
      return two.contains("Reused, ");
    }
  }

  private static boolean reused(TlsConfigBuilder config, String protocol) throws Exception {
    ServerTls tls = ServerTls.create(config.build(), "imap");
    // One ServerTls, two listeners on it: the same contexts, as two connections to one server.
    Path session = Files.createTempFile(dir, "session", ".pem");
    try (TlsTestServer server = new TlsTestServer(tls, false)) {
      assertThat(SClient.run(server.port(), GREETING, protocol, "-sess_out", session.toString())).contains(GREETING);
      if (Files.size(session) == 0) {
        // TLS 1.3 without a ticket: the server gave the client nothing it could resume.
        return false;
      }
      String two = SClient.run(server.port(), GREETING, protocol, "-sess_in", session.toString());
      assertThat(two).contains(GREETING);
      return two.contains("Reused, ");
    }
  }

  @Test
  void ticketsAreOnByDefaultLikeNginxAndResumeTls13AndTls12() throws Exception {
    assertThat(reused(new TlsConfigBuilder(rsa.config()), "-tls1_3")).isTrue();
    assertThat(reused(new TlsConfigBuilder(rsa.config()), "-tls1_2")).isTrue();
  }

  @Test
  void theBuiltinCacheResumesTls12WithoutTickets() throws Exception {
    TlsConfigBuilder config = new TlsConfigBuilder(rsa.config()).cache(TlsConfig.SessionCache.Mode.BUILTIN);
    config.sessionTickets = false;
    assertThat(reused(config, "-tls1_2")).isTrue();
    config.sessionCache = new TlsConfig.SessionCache(TlsConfig.SessionCache.Mode.BUILTIN, java.util.OptionalInt.of(1000));
    assertThat(reused(config, "-tls1_2")).isTrue();
  }

  @Test
  void boringSslHasNoTls13SessionCacheSoWithoutTicketsTls13IsNotResumed() throws Exception {
    TlsConfigBuilder config = new TlsConfigBuilder(rsa.config()).cache(TlsConfig.SessionCache.Mode.BUILTIN);
    config.sessionTickets = false;
    assertThat(reused(config, "-tls1_3")).isFalse();
  }

  @Test
  void cacheNoneWithoutTicketsAndCacheOffNeverResume() throws Exception {
    TlsConfigBuilder none = new TlsConfigBuilder(rsa.config()).cache(TlsConfig.SessionCache.Mode.NONE);
    none.sessionTickets = false;
    assertThat(reused(none, "-tls1_2")).isFalse();
    assertThat(reused(none, "-tls1_3")).isFalse();
    TlsConfigBuilder off = new TlsConfigBuilder(rsa.config()).cache(TlsConfig.SessionCache.Mode.OFF);
    assertThat(reused(off, "-tls1_2")).isFalse();
    assertThat(reused(off, "-tls1_3")).isFalse();
  }

  @Test
  void aSharedTicketKeyFileLetsAnotherServerResumeAndTheFirstKeyEncrypts() throws Exception {
    byte[] bytes = new byte[80];
    new SecureRandom().nextBytes(bytes);
    Path key80 = Files.write(dir.resolve("ticket80.key"), bytes);
    byte[] other = new byte[48];
    new SecureRandom().nextBytes(other);
    Path key48 = Files.write(dir.resolve("ticket48.key"), other);
    TlsConfigBuilder first = new TlsConfigBuilder(rsa.config());
    first.sessionTicketKeys = List.of(key80);
    TlsConfigBuilder second = new TlsConfigBuilder(rsa.config());
    second.sessionTicketKeys = List.of(key48, key80);
    ServerTls one = ServerTls.create(first.build(), "imap");
    ServerTls two = ServerTls.create(second.build(), "imap");
    assertThat(reused(one, two, "-tls1_3")).isTrue();
    assertThat(reused(one, two, "-tls1_2")).isTrue();
    // The second server encrypts with its first key, which the first server does not know.
    assertThat(reused(two, one, "-tls1_3")).isFalse();
    // Without the file each server makes its own random key: no resumption across servers.
    assertThat(reused(ServerTls.create(new TlsConfigBuilder(rsa.config()).build(), "imap"),
        ServerTls.create(new TlsConfigBuilder(rsa.config()).build(), "imap"), "-tls1_3")).isFalse();
  }
}
