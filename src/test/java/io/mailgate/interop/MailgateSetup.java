package io.mailgate.interop;

import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.ProxyUnderTest;
import io.mailgate.testkit.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What every setup shares: a test PKI whose CA clients trust, mailgate's certificate for 127.0.0.1, the mailgate
 * listeners clients use (each with TLS: STARTTLS offered or required, or implicit), mailgate itself (in this JVM,
 * with Netty's leak detector on), and closing it all, then checking for leaks.
 */
abstract class MailgateSetup implements Setup {

  protected final Path dir;
  protected final TestPki pki;
  private final TestPki.Pair mailgateCertificate;
  private final List<Endpoint> endpoints = new ArrayList<>();
  private final StringBuilder servers = new StringBuilder();
  private final List<AutoCloseable> started = new ArrayList<>();
  private ProxyUnderTest proxy;

  protected MailgateSetup(Path dir) throws Exception {
    this.dir = dir;
    this.pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
    this.mailgateCertificate = pki.server(TestPki.KeyType.RSA, "localhost", Endpoint.HOST);
  }

  /**
   * Starts {@code setup}'s servers for {@code test}; if that fails (or the test is skipped for a missing server),
   * whatever had started is stopped again before the failure goes on.
   */
  static <S extends MailgateSetup> S start(S setup, Class<?> test) throws Exception {
    try {
      setup.startServers(test);
      return setup;
    } catch (Exception | AssertionError e) {
      try {
        setup.close();
      } catch (Exception closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  /** Starts the backend servers, adds the listeners and starts mailgate ({@link #startMailgate}). */
  protected abstract void startServers(Class<?> test) throws Exception;

  /** Remembers a server (or anything) to close, after mailgate, in the reverse order. */
  protected <T extends AutoCloseable> T started(T resource) {
    started.add(0, resource);
    return resource;
  }

  /**
   * Adds a mailgate listener: a {@code server} block for {@code protocol} whose {@code *_auth} enables
   * {@code mechanisms}, with TLS as {@code listener} says, and {@code directives} of its own (routing, backend login).
   */
  protected void listen(String label, Protocol protocol, Listener listener, Set<Mechanism> mechanisms,
      String directives) throws Exception {
    int port = ProxyUnderTest.freePort();
    String auth = mechanisms.stream().map(m -> directiveWord(protocol, m)).distinct()
        .collect(Collectors.joining(" "));
    servers.append("server { listen 127.0.0.1:").append(port).append(listener == Listener.IMPLICIT_TLS ? " ssl" : "")
        .append("; protocol ").append(protocol.scheme()).append("; ").append(protocol.scheme()).append("_auth ")
        .append(auth).append("; ")
        .append(switch (listener) {
          case STARTTLS_OFFERED -> "starttls on; ";
          case STARTTLS_REQUIRED -> "starttls only; ";
          case IMPLICIT_TLS -> "";
        })
        .append("ssl_certificate ").append(mailgateCertificate.certificate()).append("; ssl_certificate_key ")
        .append(mailgateCertificate.key()).append("; ").append(directives).append(" }\n");
    endpoints.add(new Endpoint(label, protocol, port, listener, mechanisms, pki.ca().certificate()));
  }

  /**
   * The {@code *_auth} word that enables {@code m}: {@code plain} also enables IMAP LOGIN and POP3 USER/PASS, and on
   * POP3 AUTH LOGIN too (pop3_auth has no {@code login}, as in nginx).
   */
  private static String directiveWord(Protocol protocol, Mechanism m) {
    if (m == Mechanism.DEFAULT || (m == Mechanism.LOGIN && protocol == Protocol.POP3)) {
      return "plain";
    }
    return m.saslName().toLowerCase(Locale.ROOT);
  }

  /** Starts mailgate with {@code mailDirectives} (authentication, shared settings) and the listeners added so far. */
  protected void startMailgate(String mailDirectives) throws Exception {
    proxy = ProxyUnderTest.start(Files.createDirectories(dir.resolve("mailgate")), mailDirectives + "\n" + servers);
  }

  @Override
  public List<Endpoint> endpoints() {
    return List.copyOf(endpoints);
  }

  @Override
  public byte[] storedMessage() {
    return InteropMessages.stored();
  }

  @Override
  public byte[] awaitDelivery(String messageId) {
    throw new UnsupportedOperationException(name() + " delivers no mail");
  }

  @Override
  public void close() throws Exception {
    List<AutoCloseable> all = new ArrayList<>();
    all.add(proxy);
    all.addAll(started);
    LeakWatcher.closeThenAssertNoLeaks(all.toArray(AutoCloseable[]::new));
  }
}
