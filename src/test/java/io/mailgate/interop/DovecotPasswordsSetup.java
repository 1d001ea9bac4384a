package io.mailgate.interop;

import static org.awaitility.Awaitility.await;

import io.mailgate.auth.AuthRequest;
import io.mailgate.e2e.RequiredTools;
import io.mailgate.testkit.DovecotServer;
import io.mailgate.testkit.FakeAuthServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

/**
 * Dovecot 2.3 (IMAP and POP3) with passwords, trusting mailgate ({@code login_trusted_networks 127.0.0.1/32}); mailgate
 * asks an auth_http service ({@link InteropAuthService}: passwords and CRAM-MD5) and, with
 * {@code proxy_client_identity on}, names each client to Dovecot (IMAP {@code ID}, POP3 {@code XCLIENT}): Dovecot's
 * login line must carry mailgate's session id.
 */
final class DovecotPasswordsSetup extends MailgateSetup {

  private static final EnumSet<Mechanism> PASSWORDS = EnumSet.of(Mechanism.DEFAULT, Mechanism.PLAIN, Mechanism.LOGIN,
      Mechanism.CRAM_MD5);

  private DovecotServer dovecot;
  private FakeAuthServer auth;
  private String version;

  DovecotPasswordsSetup(Path dir) throws Exception {
    super(dir);
  }

  @Override
  protected void startServers(Class<?> test) throws Exception {
    Path binary = RequiredTools.installed(DovecotServer.binary(),
        "dovecot (Debian packages dovecot-imapd, dovecot-pop3d)", test);
    version = "Dovecot " + DovecotServer.version(binary);
    dovecot = started(DovecotServer.startTrusting(binary, Files.createDirectories(dir.resolve("dovecot")),
        Account.USER, Account.PASSWORD, new DovecotServer.Trust(Optional.of("127.0.0.1/32"), Optional.empty())));
    dovecot.append(Account.USER, Account.PASSWORD, storedMessage());
    auth = started(new FakeAuthServer(InteropAuthService.routingTo(
        protocol -> "pop3".equals(protocol) ? dovecot.pop3Port() : dovecot.port())));
    listen("imap", Protocol.IMAP, Listener.STARTTLS_OFFERED, PASSWORDS, "proxy_client_identity on;");
    listen("pop3", Protocol.POP3, Listener.STARTTLS_OFFERED, PASSWORDS, "proxy_client_identity on;");
    startMailgate("auth_http http://127.0.0.1:" + auth.port() + "/auth;");
  }

  @Override
  public String name() {
    return "dovecot/passwords";
  }

  @Override
  public String versions() {
    return version + " (login_trusted_networks, auth_http with CRAM-MD5)";
  }

  @Override
  public Account account() {
    return Account.passwordOnly();
  }

  /** Dovecot logged the login with mailgate's session id, which only the trusted ID or XCLIENT can have told it. */
  @Override
  public void checkLoggedIn(Attempt attempt) {
    List<FakeAuthServer.Request> requests = auth.requests();
    String session = requests.get(requests.size() - 1).header(AuthRequest.SESSION_ID_HEADER);
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
        .alias("a Dovecot login line with session=<" + session + ">\n" + dovecot.log())
        .until(() -> dovecot.loginLines().stream().anyMatch(l -> l.contains("session=<" + session + ">")));
  }

  @Override
  public String logs() {
    return dovecot.log();
  }
}
