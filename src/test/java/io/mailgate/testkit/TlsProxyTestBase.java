package io.mailgate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shared set-up of the integration tests that drive a {@link TlsProxyFixture}, over implicit TLS or in cleartext with a
 * STARTTLS upgrade: a fresh fixture per test in its own temporary directory, closed after it, a leak check after the
 * class, and the start, connect, command and upgrade steps those tests repeat.
 */
public abstract class TlsProxyTestBase {

  /** The shared test PKI. */
  protected static final TlsTestFiles FILES = TlsTestFiles.shared();
  /** The {@code ssl_certificate} directives of the RSA server pair. */
  protected static final String CERTIFICATE = TlsTestFiles.certificate(FILES.serverRsa);
  /** The test CA's certificate file: what real clients trust and {@code ssl_client_certificate} names. */
  protected static final String CA = FILES.pki.ca().certificate().toString();

  /** The test's own directory, for the proxy's configuration. */
  @TempDir protected Path dir;
  /** The proxy, its fake backends and auth service. */
  protected TlsProxyFixture fx;

  /** Creates the test's fixture. */
  @BeforeEach
  protected void openFixture() throws Exception {
    fx = newFixture();
  }

  /** The fixture for one test, in {@link #dir}; a subclass overrides this to give it other fake backends. */
  protected TlsProxyFixture newFixture() throws Exception {
    return new TlsProxyFixture(dir);
  }

  /** Stops the proxy and the fakes. */
  @AfterEach
  protected void closeFixture() throws Exception {
    fx.close();
  }

  /** No Netty buffer leaked by the class's tests. */
  @AfterAll
  protected static void noLeaks() throws Exception {
    LeakWatcher.assertNoLeaks();
  }

  /** Adds a cleartext {@code protocol} server with {@code directives}, starts the proxy with RSA, returns the port. */
  protected int startServer(String protocol, String directives) throws Exception {
    return startOneServer(protocol, false, directives);
  }

  /** Adds an implicit-TLS {@code protocol} server with {@code directives}, starts the proxy with RSA; its port. */
  protected int startImplicitServer(String protocol, String directives) throws Exception {
    return startOneServer(protocol, true, directives);
  }

  private int startOneServer(String protocol, boolean implicitTls, String directives) throws Exception {
    int port = fx.server(protocol, implicitTls, directives);
    fx.start(CERTIFICATE);
    return port;
  }

  /** A cleartext connection to {@code port} whose greeting is exactly {@code greeting}. */
  protected static TlsLineClient connect(int port, String greeting) throws Exception {
    TlsLineClient c = TlsLineClient.plain(port);
    assertThat(c.readLine()).isEqualTo(greeting);
    return c;
  }

  /** A cleartext connection to {@code port} whose greeting starts with {@code greeting} (APOP appends a timestamp). */
  protected static TlsLineClient connectGreetedWith(int port, String greeting) throws Exception {
    TlsLineClient c = TlsLineClient.plain(port);
    assertThat(c.readLine()).startsWith(greeting);
    return c;
  }

  /** Sends {@code command} and checks that the one-line reply is {@code reply}. */
  protected static void expectReply(TlsLineClient c, String command, String reply) throws Exception {
    c.send(command);
    assertThat(c.readLine()).isEqualTo(reply);
  }

  /** Sends the STARTTLS/STLS {@code command}, checks its go-ahead {@code reply} and completes the handshake. */
  protected static void upgrade(TlsLineClient c, String command, String reply) throws Exception {
    expectReply(c, command, reply);
    c.startTls(FILES.client());
  }
}
