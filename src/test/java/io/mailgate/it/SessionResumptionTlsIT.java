package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.mailgate.testkit.TlsProxyTestBase;
import io.mailgate.testkit.TlsToolRun;
import io.netty.handler.ssl.OpenSsl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Session resumption through the proxy with {@code openssl s_client -sess_out}/{@code -sess_in}, as
 * mail_ssl_session_reuse.t does with IO::Socket::SSL: tickets (the default) resume TLS 1.3 and 1.2, over implicit TLS
 * and after STARTTLS; {@code ssl_session_cache builtin} without tickets resumes TLS 1.2 (BoringSSL has no TLS 1.3
 * session cache, so TLS 1.3 starts a new session, the case nginx-tests mark TODO for BoringSSL); {@code none} and
 * {@code off} without tickets never resume.
 */
class SessionResumptionTlsIT extends TlsProxyTestBase {

  private static final Duration LIMIT = Duration.ofSeconds(15);

  private Path openssl;

  /** Skips the test (fails it under CI) when there is no openssl to be the client. */
  @BeforeEach
  void findOpenssl() {
    openssl = TlsToolRun.require("openssl");
  }

  /**
   * Connects twice with s_client, saving the session of the first and offering it in the second, each time sending an
   * IMAP NOOP and waiting for its answer (which also brings a TLS 1.3 ticket in). True when the second connection
   * was resumed; false also when the first one left no resumable session to save.
   */
  private boolean resumed(int port, String version, boolean starttls) throws Exception {
    Path session = dir.resolve("session-" + port + version + ".pem");
    String first = sClient(port, version, starttls, "-sess_out", session.toString());
    assertThat(first).contains("New, " + version);
    if (!Files.exists(session)) {
      return false;
    }
    String second = sClient(port, version, starttls, "-sess_in", session.toString());
    assertThat(second).containsAnyOf("New, " + version, "Reused, " + version);
    return second.contains("Reused, " + version);
  }

  private String sClient(int port, String version, boolean starttls, String... more) throws Exception {
    List<String> command = new ArrayList<>(List.of(openssl.toString(), "s_client", "-connect", "127.0.0.1:" + port,
        "-CAfile", CA, "-verify_return_error", "-crlf", "-nocommands",
        version.equals("TLSv1.3") ? "-tls1_3" : "-tls1_2"));
    if (starttls) {
      command.addAll(List.of("-starttls", "imap"));
    }
    command.addAll(List.of(more));
    TlsToolRun.Result result = TlsToolRun.run(command, "a1 NOOP\n", "a1 OK completed", LIMIT);
    assertThat(result.output()).as("s_client output").contains("a1 OK completed");
    return result.output();
  }

  @Test
  void ticketsAreOnByDefaultAndResumeTls13AndTls12() throws Exception {
    int port = startImplicitServer("imap", "");
    assertThat(resumed(port, "TLSv1.3", false)).isTrue();
    assertThat(resumed(port, "TLSv1.2", false)).isTrue();
  }

  @Test
  void aStarttlsSessionIsResumedByTheNextStarttlsConnection() throws Exception {
    int port = startServer("imap", "starttls on;");
    assertThat(resumed(port, "TLSv1.3", true)).isTrue();
  }

  @Test
  void theBuiltinCacheWithoutTicketsResumesTls12ButBoringSslHasNoTls13Cache() throws Exception {
    assumeThat(OpenSsl.isAvailable()).as("BoringSSL (netty-tcnative)").isTrue();
    int port = startImplicitServer("imap", "ssl_session_tickets off; ssl_session_cache builtin:1000;");
    assertThat(resumed(port, "TLSv1.2", false)).isTrue();
    assertThat(resumed(port, "TLSv1.3", false)).isFalse();
  }

  @Test
  void cacheNoneOrOffWithoutTicketsNeverResumes() throws Exception {
    assumeThat(OpenSsl.isAvailable()).as("BoringSSL (netty-tcnative)").isTrue();
    int none = fx.server("imap", true, "ssl_session_tickets off; ssl_session_cache none;");
    int off = fx.server("imap", true, "ssl_session_cache off;");
    fx.start(CERTIFICATE);
    assertThat(resumed(none, "TLSv1.2", false)).isFalse();
    assertThat(resumed(none, "TLSv1.3", false)).isFalse();
    assertThat(resumed(off, "TLSv1.2", false)).isFalse();
    assertThat(resumed(off, "TLSv1.3", false)).isFalse();
  }
}
