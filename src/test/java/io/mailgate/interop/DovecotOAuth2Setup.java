package io.mailgate.interop;

import static org.awaitility.Awaitility.await;

import io.mailgate.e2e.RequiredTools;
import io.mailgate.testkit.DovecotServer;
import io.mailgate.testkit.IdpServer;
import io.mailgate.testkit.IdpToken;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;

/**
 * Token passthrough: mailgate checks the client's opaque bearer token at an RFC 7662 introspection endpoint, then
 * logs in to Dovecot 2.3 with the same mechanism and token ({@code proxy_backend_login token}), and Dovecot's
 * {@code oauth2} passdb introspects it again at the same endpoint. The expired token is one the endpoint calls
 * inactive.
 */
final class DovecotOAuth2Setup extends MailgateSetup {

  private static final String TOKEN = "interop-opaque-token";
  private static final String EXPIRED = "interop-expired-token";

  private DovecotServer dovecot;
  private IdpServer idp;
  private String version;

  DovecotOAuth2Setup(Path dir) throws Exception {
    super(dir);
  }

  @Override
  protected void startServers(Class<?> test) throws Exception {
    Path binary = RequiredTools.installed(DovecotServer.binary(), "dovecot (Debian package dovecot-imapd)", test);
    version = "Dovecot " + DovecotServer.version(binary);
    idp = started(IdpServer.start());
    idp.registerActive(TOKEN, Account.USER, IdpToken.SCOPE);
    idp.registerInactive(EXPIRED);
    String endpoint = idp.introspectionUri().toString();
    // Dovecot takes its client credentials from the URL's userinfo; mailgate from its directive and secret file.
    dovecot = started(DovecotServer.startWithOAuth2(binary, Files.createDirectories(dir.resolve("dovecot")),
        Account.USER, Account.PASSWORD,
        endpoint.replace("http://", "http://mailgate:" + idp.clientSecret() + "@")));
    dovecot.append(Account.USER, Account.PASSWORD, storedMessage());
    Path secret = Files.writeString(dir.resolve("introspection.secret"), idp.clientSecret() + "\n");
    String backend = "proxy_backend 127.0.0.1:" + dovecot.port() + ";";
    listen("imap", Protocol.IMAP, Listener.STARTTLS_OFFERED, EnumSet.of(Mechanism.OAUTHBEARER), backend);
    listen("imap-xoauth2", Protocol.IMAP, Listener.STARTTLS_OFFERED, EnumSet.of(Mechanism.XOAUTH2), backend);
    startMailgate("auth_oauth_introspection " + endpoint + " mailgate " + secret + ";\n"
        + "proxy_backend_login token;\nproxy_pass_error_message on;");
  }

  @Override
  public String name() {
    return "dovecot/oauth2";
  }

  @Override
  public String versions() {
    return version + " (oauth2 passdb, RFC 7662 introspection; token passthrough)";
  }

  @Override
  public Account account() {
    return new Account(Account.USER, Account.PASSWORD, TOKEN, EXPIRED);
  }

  /** Dovecot logged an OAuth login with the client's mechanism: mailgate passed the token on. */
  @Override
  public void checkLoggedIn(Attempt attempt) {
    String line = "Login: user=<" + Account.USER + ">, method=" + attempt.mechanism().saslName();
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).alias(line + "\n" + dovecot.log())
        .until(() -> dovecot.log().contains(line));
  }

  @Override
  public String logs() {
    return dovecot.log();
  }
}
