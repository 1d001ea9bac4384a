package io.mailgate.interop;

import io.mailgate.e2e.RequiredTools;
import io.mailgate.testkit.DovecotServer;
import io.mailgate.testkit.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;

/**
 * Dovecot 2.3 listening for IMAPS only ({@code ssl = required}); mailgate checks passwords (users file) and logs in
 * over verified TLS ({@code proxy_ssl on}, the name {@code dovecot.test}). Clients get TLS too: a listener with
 * {@code starttls only} (LOGINDISABLED until STARTTLS) and one with implicit TLS.
 */
final class DovecotTlsOnlySetup extends MailgateSetup {

  private static final String DOVECOT_NAME = "dovecot.test";
  private static final EnumSet<Mechanism> PASSWORDS = EnumSet.of(Mechanism.DEFAULT, Mechanism.PLAIN, Mechanism.LOGIN);

  private DovecotServer dovecot;
  private TokenIssuer users;
  private String version;

  DovecotTlsOnlySetup(Path dir) throws Exception {
    super(dir);
  }

  @Override
  protected void startServers(Class<?> test) throws Exception {
    Path binary = RequiredTools.installed(DovecotServer.binary(), "dovecot (Debian package dovecot-imapd)", test);
    version = "Dovecot " + DovecotServer.version(binary);
    dovecot = started(DovecotServer.startTlsOnly(binary, Files.createDirectories(dir.resolve("dovecot")),
        Account.USER, Account.PASSWORD, pki.server(TestPki.KeyType.RSA, DOVECOT_NAME)));
    dovecot.append(Account.USER, Account.PASSWORD, storedMessage());
    users = started(TokenIssuer.start(dir));
    String backend = "proxy_backend 127.0.0.1:" + dovecot.port() + "; proxy_ssl on; proxy_ssl_trusted_certificate "
        + pki.ca().certificate() + "; proxy_ssl_name " + DOVECOT_NAME + ";";
    listen("imap", Protocol.IMAP, Listener.STARTTLS_REQUIRED, PASSWORDS, backend);
    listen("imaps", Protocol.IMAP, Listener.IMPLICIT_TLS, PASSWORDS, backend);
    startMailgate(users.mailgateDirectives());
  }

  @Override
  public String name() {
    return "dovecot/tls-only";
  }

  @Override
  public String versions() {
    return version + " (IMAPS only; mailgate: proxy_ssl, verified)";
  }

  @Override
  public Account account() {
    return Account.passwordOnly();
  }

  @Override
  public String logs() {
    return dovecot.log();
  }
}
