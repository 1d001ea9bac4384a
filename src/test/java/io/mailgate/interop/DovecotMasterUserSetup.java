package io.mailgate.interop;

import io.mailgate.e2e.RequiredTools;
import io.mailgate.testkit.DovecotServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;

/**
 * Dovecot 2.3 (IMAP and POP3) with a master user; mailgate checks passwords (its users file) and JWTs itself, then
 * logs in to Dovecot as {@code <user>*mailgate} with the master password ({@code proxy_backend_login master}). The
 * mailbox's own Dovecot password is one no client knows, so only the master login can open it. XOAUTH2 has listeners
 * of its own, without OAUTHBEARER: curl 7.88 takes OAUTHBEARER whenever it is offered (curl issue 10259).
 */
final class DovecotMasterUserSetup extends MailgateSetup {

  private static final String MASTER = "mailgate";
  private static final String MASTER_PASSWORD = "master-secret";
  /** Dovecot's password for the mailbox itself, used only to store the message. */
  private static final String BACKEND_PASSWORD = "dovecot-only-password";
  private static final EnumSet<Mechanism> MAIN = EnumSet.of(Mechanism.DEFAULT, Mechanism.PLAIN, Mechanism.LOGIN,
      Mechanism.OAUTHBEARER);

  private DovecotServer dovecot;
  private TokenIssuer tokens;
  private Account account;
  private String version;

  DovecotMasterUserSetup(Path dir) throws Exception {
    super(dir);
  }

  @Override
  protected void startServers(Class<?> test) throws Exception {
    Path binary = RequiredTools.installed(DovecotServer.binary(),
        "dovecot (Debian packages dovecot-imapd, dovecot-pop3d)", test);
    version = "Dovecot " + DovecotServer.version(binary);
    dovecot = started(DovecotServer.startWithMasterUser(binary, Files.createDirectories(dir.resolve("dovecot")),
        Account.USER, BACKEND_PASSWORD, MASTER, MASTER_PASSWORD));
    dovecot.append(Account.USER, BACKEND_PASSWORD, storedMessage());
    tokens = started(TokenIssuer.start(dir));
    account = tokens.account();
    Path masterFile = Files.writeString(dir.resolve("master.secret"), MASTER_PASSWORD + "\n");
    String imap = "proxy_backend 127.0.0.1:" + dovecot.port() + ";";
    String pop3 = "proxy_backend 127.0.0.1:" + dovecot.pop3Port() + ";";
    listen("imap", Protocol.IMAP, Listener.STARTTLS_OFFERED, MAIN, imap);
    listen("imap-xoauth2", Protocol.IMAP, Listener.STARTTLS_OFFERED, EnumSet.of(Mechanism.XOAUTH2), imap);
    listen("pop3", Protocol.POP3, Listener.STARTTLS_OFFERED, MAIN, pop3);
    listen("pop3-xoauth2", Protocol.POP3, Listener.STARTTLS_OFFERED, EnumSet.of(Mechanism.XOAUTH2), pop3);
    startMailgate(tokens.mailgateDirectives()
        + "proxy_backend_login master;\nproxy_backend_master " + MASTER + " " + masterFile + ";");
  }

  @Override
  public String name() {
    return "dovecot/master-user";
  }

  @Override
  public String versions() {
    return version + " (master user; mailgate: users file, JWT)";
  }

  @Override
  public Account account() {
    return account;
  }

  @Override
  public String logs() {
    return dovecot.log();
  }
}
