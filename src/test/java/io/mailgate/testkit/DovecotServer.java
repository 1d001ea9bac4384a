package io.mailgate.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A private Dovecot 2.3 IMAP (and optionally POP3) server on free loopback ports, configured from scratch in a directory
 * of its own (own base_dir, state and log; no TLS, plaintext logins allowed, one passwd-file user, Maildir storage), so
 * it never touches a system instance. Runs as root (CI) or as an ordinary user. {@link #startTlsOnly} makes one that
 * listens only for IMAPS ({@code ssl = required}). {@link #startWithOAuth2} adds Dovecot's {@code oauth2} passdb for
 * XOAUTH2 and OAUTHBEARER logins, checking tokens at an RFC 7662 introspection endpoint.
 */
public final class DovecotServer implements AutoCloseable {

  private static final List<String> SEARCH_DIRS = List.of("/usr/sbin", "/usr/local/sbin", "/usr/bin", "/sbin");
  private static final Pattern APPEND_UID = Pattern.compile("\\[APPENDUID \\d+ (\\d+)]");
  /** nobody/nogroup on Debian: Dovecot refuses mail access as root, so mail is owned by this unprivileged id. */
  private static final int ROOT_MAIL_ID = 65534;

  private final Path binary;
  private final Path dir;
  private final Path conf;
  private final int port;
  private final int pop3Port;
  private final Process process;
  /** For a TLS-only server: its certificate, which its own {@link #append} client trusts. */
  private final Optional<TestPki.Pair> tls;

  private DovecotServer(Path binary, Path dir, Path conf, int port, int pop3Port, Process process,
      Optional<TestPki.Pair> tls) {
    this.binary = binary;
    this.dir = dir;
    this.conf = conf;
    this.port = port;
    this.pop3Port = pop3Port;
    this.process = process;
    this.tls = tls;
  }

  /** The dovecot binary, from PATH or the usual sbin directories. */
  public static Optional<Path> binary() {
    return findExecutable("dovecot", SEARCH_DIRS);
  }

  /** The first executable {@code name} on PATH, then in {@code extraDirs} (sbin is often not on a user's PATH). */
  public static Optional<Path> findExecutable(String name, List<String> extraDirs) {
    List<String> dirs = new java.util.ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(java.io.File.pathSeparator)));
    }
    dirs.addAll(extraDirs);
    return dirs.stream().filter(d -> !d.isEmpty()).map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst();
  }

  /** {@code dovecot --version}, e.g. {@code 2.3.19.1 (9b53102964)}. */
  public static String version(Path binary) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("dovecot --version did not finish");
    }
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
  }

  /**
   * Writes the configuration into {@code dir}, starts {@code dovecot -F} and waits until the IMAP port accepts.
   *
   * @param user the one login name, stored with {@code password} in a passwd-file
   */
  public static DovecotServer start(Path binary, Path dir, String user, String password) throws Exception {
    return start(binary, dir, user, password, false, Optional.empty(), Optional.empty());
  }

  /**
   * Like {@link #start(Path, Path, String, String)}, with XOAUTH2 and OAUTHBEARER as well
   * ({@code auth_mechanisms = plain login oauthbearer xoauth2}), checked by the {@code oauth2} passdb: each token is
   * POSTed ({@code introspection_mode = post}) to {@code introspectionUrl}, whose JSON answer must say
   * {@code "active": true} and name the user in {@code email}. Password logins keep the passwd-file.
   */
  public static DovecotServer startWithOAuth2(Path binary, Path dir, String user, String password,
      String introspectionUrl) throws Exception {
    return start(binary, dir, user, password, false, Optional.empty(), Optional.of(introspectionUrl));
  }

  /**
   * Like {@link #start(Path, Path, String, String)}, but TLS only: {@code ssl = required} with {@code certificate}, an
   * IMAPS listener on {@link #port()} and no cleartext IMAP listener ({@code inet_listener imap { port = 0 }}).
   */
  public static DovecotServer startTlsOnly(Path binary, Path dir, String user, String password,
      TestPki.Pair certificate) throws Exception {
    return start(binary, dir, user, password, false, Optional.of(certificate), Optional.empty());
  }

  /**
   * Like {@link #start(Path, Path, String, String)}, with POP3 enabled as well ({@code protocols = imap pop3}, Debian
   * package dovecot-pop3d) on a second free port, {@link #pop3Port()}.
   */
  public static DovecotServer startWithPop3(Path binary, Path dir, String user, String password) throws Exception {
    return start(binary, dir, user, password, true, Optional.empty(), Optional.empty());
  }

  /**
   * Like {@link #startWithPop3}, with a Dovecot master user as well ({@code auth_master_user_separator = *} and a
   * {@code master = yes} passwd-file passdb): {@code <user>*<masterName>} with {@code masterPassword} logs in as
   * {@code user}, so a proxy can log in for users whose secrets Dovecot never sees.
   */
  public static DovecotServer startWithMasterUser(Path binary, Path dir, String user, String password,
      String masterName, String masterPassword) throws Exception {
    return start(binary, dir, user, password, true, Optional.empty(), Optional.empty(), Trust.NONE,
        Optional.of(masterName + ":{PLAIN}" + masterPassword));
  }

  /**
   * Who Dovecot trusts to speak for a client, for the client-identity tests. Both are Dovecot 2.3 settings with space
   * separated networks ({@code 127.0.0.1/32}).
   *
   * @param loginTrustedNetworks {@code login_trusted_networks}: connections from here may name the client with IMAP
   *     {@code ID x-originating-ip ...} and POP3 {@code XCLIENT ADDR=...} (and get {@code +OK [XCLIENT]})
   * @param haproxyTrustedNetworks {@code haproxy_trusted_networks}: when present, both listeners take
   *     {@code haproxy = yes} and every connection must open with a PROXY v1 or v2 header from these networks
   */
  public record Trust(Optional<String> loginTrustedNetworks, Optional<String> haproxyTrustedNetworks) {
    static final Trust NONE = new Trust(Optional.empty(), Optional.empty());
  }

  /**
   * Like {@link #startWithPop3}, trusting {@code trust}'s networks. The login log lines then also carry the client's
   * and the local port: {@code Login: user=<u>, method=PLAIN, rip=..., rport=..., lip=..., lport=..., mpid=...,
   * session=<...>} (see {@link #loginLines()}).
   */
  public static DovecotServer startTrusting(Path binary, Path dir, String user, String password, Trust trust)
      throws Exception {
    return start(binary, dir, user, password, true, Optional.empty(), Optional.empty(), trust, Optional.empty());
  }

  /** The {@code Login:} lines of {@code imap-login} and {@code pop3-login} in Dovecot's log so far. */
  public List<String> loginLines() throws IOException {
    Path file = dir.resolve("dovecot.log");
    if (!Files.exists(file)) {
      return List.of();
    }
    return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
        .filter(l -> l.matches(".*(imap|pop3)-login: (Info: )?Login: .*")).toList();
  }

  private static DovecotServer start(Path binary, Path dir, String user, String password, boolean pop3,
      Optional<TestPki.Pair> tls, Optional<String> introspectionUrl) throws Exception {
    return start(binary, dir, user, password, pop3, tls, introspectionUrl, Trust.NONE, Optional.empty());
  }

  /** @param masterLine a passwd-file line for the master passdb ({@code name:{PLAIN}password}), if any */
  private static DovecotServer start(Path binary, Path dir, String user, String password, boolean pop3,
      Optional<TestPki.Pair> tls, Optional<String> introspectionUrl, Trust trust, Optional<String> masterLine)
      throws Exception {
    String version = version(binary);
    if (!version.startsWith("2.3.")) {
      // 2.4 renamed most of the settings used below (mail_location, passdb args, disable_plaintext_auth, %u).
      throw new IllegalStateException("DovecotServer writes a Dovecot 2.3 configuration, found " + version);
    }
    Path home = dir.toAbsolutePath();
    for (String sub : List.of("run", "state", "mail")) {
      Files.createDirectories(home.resolve(sub));
    }
    Path users = home.resolve("users");
    Files.writeString(users, user + ":{PLAIN}" + password + "\n");
    Files.setPosixFilePermissions(users, PosixFilePermissions.fromString("rw-------"));
    if (masterLine.isPresent()) {
      Path masters = home.resolve("master-users");
      Files.writeString(masters, masterLine.get() + "\n");
      Files.setPosixFilePermissions(masters, PosixFilePermissions.fromString("rw-------"));
    }
    int port = ProxyUnderTest.freePort();
    int pop3Port = pop3 ? ProxyUnderTest.freePort() : 0;
    Path conf = home.resolve("dovecot.conf");
    if (introspectionUrl.isPresent()) {
      Files.writeString(home.resolve("dovecot-oauth2.conf.ext"), oauth2Config(introspectionUrl.get()));
    }
    Files.writeString(conf, config(home, port, pop3Port, Identity.of(home), tls, introspectionUrl.isPresent(), trust,
        masterLine.isPresent()));
    Path out = home.resolve("dovecot.out");
    Process process = new ProcessBuilder(binary.toString(), "-F", "-c", conf.toString())
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    DovecotServer server = new DovecotServer(binary, home, conf, port, pop3Port, process, tls);
    try {
      server.awaitPort(port, Duration.ofSeconds(10));
      if (pop3) {
        server.awaitPort(pop3Port, Duration.ofSeconds(10));
      }
    } catch (IOException | RuntimeException e) {
      server.close();
      throw new IllegalStateException("dovecot did not start: " + e.getMessage() + "\n" + server.log(), e);
    }
    return server;
  }

  /**
   * The oauth2 passdb's settings (Dovecot 2.3): RFC 7662 introspection by POST ({@code token=...}), the user in
   * {@code email}, and {@code force_introspection} so that {@code active} is always checked.
   */
  private static String oauth2Config(String introspectionUrl) {
    return "introspection_mode = post\n"
        + "introspection_url = " + introspectionUrl + "\n"
        + "force_introspection = yes\n"
        + "username_attribute = email\n"
        + "active_attribute = active\n"
        + "active_value = true\n";
  }

  /**
   * The configuration text; {@code pop3Port} 0 leaves POP3 off; with {@code tls}, IMAPS on {@code port} only; with
   * {@code oauth2}, the oauth2 passdb takes XOAUTH2 and OAUTHBEARER logins.
   */
  private static String config(Path home, int port, int pop3Port, Identity id, Optional<TestPki.Pair> tls,
      boolean oauth2, Trust trust, boolean masterUsers) {
    StringBuilder c = new StringBuilder()
        .append("base_dir = ").append(home.resolve("run")).append('\n')
        .append("state_dir = ").append(home.resolve("state")).append('\n')
        .append("log_path = ").append(home.resolve("dovecot.log")).append('\n')
        .append(pop3Port == 0 ? "protocols = imap\n" : "protocols = imap pop3\n")
        .append("listen = 127.0.0.1\n")
        .append(tls.isEmpty() ? "ssl = no\n" : "ssl = required\nssl_cert = <" + tls.get().certificate()
            + "\nssl_key = <" + tls.get().key() + "\n")
        // The proxy logs in with LOGIN over plain TCP on loopback; Dovecot 2.3 refuses that unless told otherwise.
        .append("disable_plaintext_auth = no\n")
        .append(oauth2 ? "auth_mechanisms = plain login oauthbearer xoauth2\n" : "auth_mechanisms = plain login\n")
        .append("mail_location = maildir:").append(home.resolve("mail")).append("/%u\n");
    if (masterUsers) {
      // Master passdbs come first; "user*master" is then looked up as user in the userdb.
      c.append("auth_master_user_separator = *\n")
          .append("passdb {\n  driver = passwd-file\n  master = yes\n  args = scheme=PLAIN username_format=%u ")
          .append(home.resolve("master-users")).append("\n}\n");
    }
    c.append("passdb {\n  driver = passwd-file\n").append(oauth2 ? "  mechanisms = plain login\n" : "")
        .append("  args = scheme=PLAIN username_format=%u ")
        .append(home.resolve("users")).append("\n}\n");
    trust.loginTrustedNetworks().ifPresent(n -> c.append("login_trusted_networks = ").append(n).append('\n')
        .append("login_log_format_elements = user=<%u> method=%m rip=%r rport=%{rport} lip=%l lport=%{lport} mpid=%e"
            + " %c session=<%{session}>\n"));
    trust.haproxyTrustedNetworks().ifPresent(n -> c.append("haproxy_trusted_networks = ").append(n).append('\n'));
    String haproxy = trust.haproxyTrustedNetworks().isPresent() ? "    haproxy = yes\n" : "";
    if (oauth2) {
      c.append("passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = ")
          .append(home.resolve("dovecot-oauth2.conf.ext")).append("\n}\n");
    }
    c
        .append("userdb {\n  driver = static\n  args = uid=").append(id.mailUid()).append(" gid=").append(id.mailGid())
        .append(" home=").append(home.resolve("mail")).append("/%u\n}\n");
    if (id.root()) {
      // Auth reads the 0600 passwd-file in a root-only test directory; login processes keep their default dovenull
      // user, since imap-login refuses to run as root.
      c.append("default_internal_user = root\n");
    } else {
      // Unprivileged: every service runs as this user, and nothing can chroot.
      c.append("default_internal_user = ").append(id.user()).append('\n')
          .append("default_internal_group = ").append(id.group()).append('\n')
          .append("default_login_user = ").append(id.user()).append('\n')
          .append("service anvil {\n  chroot =\n}\n");
    }
    if (tls.isEmpty()) {
      c.append("service imap-login {\n")
          .append("  inet_listener imap {\n    address = 127.0.0.1\n    port = ").append(port).append("\n")
          .append(haproxy).append("  }\n")
          .append("  inet_listener imaps {\n    port = 0\n  }\n");
    } else {
      c.append("service imap-login {\n")
          .append("  inet_listener imap {\n    port = 0\n  }\n")
          .append("  inet_listener imaps {\n    address = 127.0.0.1\n    port = ").append(port)
          .append("\n    ssl = yes\n  }\n");
    }
    if (!id.root()) {
      c.append("  chroot =\n");
    }
    c.append("}\n");
    if (pop3Port != 0) {
      c.append("service pop3-login {\n")
          .append("  inet_listener pop3 {\n    address = 127.0.0.1\n    port = ").append(pop3Port).append("\n")
          .append(haproxy).append("  }\n")
          .append("  inet_listener pop3s {\n    port = 0\n  }\n");
      if (!id.root()) {
        c.append("  chroot =\n");
      }
      c.append("}\n");
    }
    return c.toString();
  }

  /** Who runs Dovecot and who owns the mail. */
  private record Identity(boolean root, String user, String group, int mailUid, int mailGid) {
    static Identity of(Path home) throws IOException {
      int uid = (Integer) Files.getAttribute(home, "unix:uid");
      String user = Files.getOwner(home).getName();
      String group = Files.readAttributes(home, PosixFileAttributes.class).group().getName();
      if (uid != 0) {
        return new Identity(false, user, group, uid, (Integer) Files.getAttribute(home, "unix:gid"));
      }
      // Dovecot refuses mail access as root ("Mail access not allowed for root"): mail belongs to nobody, who must
      // be able to reach the mail directory through the root-only test directory (search permission only).
      for (Path d = home; d != null; d = d.getParent()) {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(d);
        if (perms.add(PosixFilePermission.OTHERS_EXECUTE)) {
          Files.setPosixFilePermissions(d, perms);
        }
      }
      Path mail = home.resolve("mail");
      Files.setAttribute(mail, "unix:uid", ROOT_MAIL_ID);
      Files.setAttribute(mail, "unix:gid", ROOT_MAIL_ID);
      return new Identity(true, user, group, ROOT_MAIL_ID, ROOT_MAIL_ID);
    }
  }

  private void awaitPort(int listener, Duration limit) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IOException("dovecot exited with status " + process.exitValue());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", listener), 500);
        return;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw new IOException("port " + listener + " not accepting after " + limit.toSeconds() + " s", e);
        }
        Thread.sleep(50);
      }
    }
  }

  /** The IMAP port (IMAPS for a {@link #startTlsOnly} server). */
  public int port() {
    return port;
  }

  /** The POP3 port; only for a server from {@link #startWithPop3}. */
  public int pop3Port() {
    if (pop3Port == 0) {
      throw new IllegalStateException("POP3 is not enabled: use DovecotServer.startWithPop3");
    }
    return pop3Port;
  }

  /** Dovecot's log and console output so far, for failure messages. */
  public String log() {
    StringBuilder text = new StringBuilder();
    for (String name : List.of("dovecot.out", "dovecot.log")) {
      Path file = dir.resolve(name);
      try {
        if (Files.exists(file)) {
          text.append("--- ").append(name).append(":\n").append(Files.readString(file, StandardCharsets.UTF_8));
        }
      } catch (IOException e) {
        text.append("--- ").append(name).append(": unreadable: ").append(e.getMessage()).append('\n');
      }
    }
    return text.toString();
  }

  /**
   * Logs in directly (not through the proxy) and APPENDs {@code message} to INBOX with {@code \Seen}.
   *
   * @return the message's UID (RFC 4315 APPENDUID)
   */
  public long append(String user, String password, byte[] message) throws IOException {
    try (Conversation c = tls.isPresent() ? TlsConversation.open(port, tls.get()) : new PlainConversation(port)) {
      expect(c.readLine(), "* OK");
      c.send("a1 LOGIN \"" + user + "\" \"" + password + "\"");
      expectTagged(c, "a1");
      c.send("a2 APPEND INBOX (\\Seen) {" + message.length + "}");
      expect(c.readLine(), "+");
      // LineClient sends chars byte for byte, so ISO-8859-1 carries the raw bytes unchanged.
      c.sendRaw(new String(message, StandardCharsets.ISO_8859_1) + "\r\n");
      String done = expectTagged(c, "a2");
      Matcher m = APPEND_UID.matcher(done);
      if (!m.find()) {
        throw new IOException("no APPENDUID in: " + done);
      }
      c.send("a3 LOGOUT");
      expectTagged(c, "a3");
      return Long.parseLong(m.group(1));
    }
  }

  /** A line-based IMAP conversation for {@link #append}, in cleartext or over TLS. */
  private interface Conversation extends AutoCloseable {
    String readLine() throws IOException;

    void send(String line) throws IOException;

    void sendRaw(String text) throws IOException;

    @Override
    void close() throws IOException;
  }

  /** Over {@link LineClient}. */
  private static final class PlainConversation implements Conversation {
    private final LineClient client;

    PlainConversation(int port) throws IOException {
      client = new LineClient(port);
    }

    @Override
    public String readLine() throws IOException {
      return client.readLine();
    }

    @Override
    public void send(String line) throws IOException {
      client.send(line);
    }

    @Override
    public void sendRaw(String text) throws IOException {
      client.sendRaw(text);
    }

    @Override
    public void close() throws IOException {
      client.close();
    }
  }

  /** Over IMAPS, trusting exactly the server's own certificate (the direct set-up path, not what is under test). */
  private static final class TlsConversation implements Conversation {
    private final SSLSocket socket;
    private final InputStream in;

    private TlsConversation(SSLSocket socket) throws IOException {
      this.socket = socket;
      this.in = new BufferedInputStream(socket.getInputStream());
    }

    static TlsConversation open(int port, TestPki.Pair certificate) throws IOException {
      try {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("dovecot", certificate.x509());
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory()
            .createSocket("127.0.0.1", port);
        socket.setSoTimeout(5000);
        socket.startHandshake();
        return new TlsConversation(socket);
      } catch (GeneralSecurityException e) {
        throw new IOException(e);
      }
    }

    @Override
    public String readLine() throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) >= 0) {
        if (b == '\n') {
          String s = line.toString(StandardCharsets.ISO_8859_1);
          return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
        }
        line.write(b);
      }
      return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void send(String line) throws IOException {
      sendRaw(line + "\r\n");
    }

    @Override
    public void sendRaw(String text) throws IOException {
      socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private static String expectTagged(Conversation c, String tag) throws IOException {
    String line;
    do {
      line = c.readLine();
      if (line == null) {
        throw new IOException("dovecot closed the connection before " + tag + " completed");
      }
    } while (!line.startsWith(tag + " "));
    return expect(line, tag + " OK");
  }

  private static String expect(String line, String prefix) throws IOException {
    if (line == null || !line.startsWith(prefix)) {
      throw new IOException("dovecot answered \"" + line + "\", expected \"" + prefix + "...\"");
    }
    return line;
  }

  /** {@code dovecot -c conf stop}, then ends the foreground master if it is still there. */
  @Override
  public void close() throws IOException {
    try {
      Process stop = new ProcessBuilder(binary.toString(), "-c", conf.toString(), "stop")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!stop.waitFor(10, TimeUnit.SECONDS)) {
        stop.destroyForcibly();
      }
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
