package io.mailgate.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private Postfix (3.4 or later) instance on a free loopback port, configured from scratch in a directory of its own:
 * own config_directory, queue_directory, data_directory and maillog_file, so it never touches a system instance. smtpd
 * accepts XCLIENT from 127.0.0.1 only, and mail for the given addresses is delivered by Postfix's virtual(8) agent into
 * one Maildir per address, where the test reads it. Postfix's master must run as root (Debian package postfix).
 */
public final class PostfixServer implements AutoCloseable {

  /** The host allowed to send XCLIENT: the proxy's own address, not the client's (which tests put on 127.0.0.2). */
  public static final String XCLIENT_HOST = "127.0.0.1";
  /** The smtpd greeting and Received host name. */
  public static final String HOSTNAME = "postfix.mailgate.test";

  private static final List<String> SEARCH_DIRS = List.of("/usr/sbin", "/usr/local/sbin", "/usr/bin", "/sbin");
  /** nobody/nogroup on Debian: virtual(8) will not deliver as root (virtual_minimum_uid), so mail belongs to nobody. */
  private static final int MAIL_ID = 65534;
  private static final Duration COMMAND_LIMIT = Duration.ofSeconds(30);

  private final Path binary;
  private final Path dir;
  private final Path conf;
  private final int port;

  private PostfixServer(Path binary, Path dir, Path conf, int port) {
    this.binary = binary;
    this.dir = dir;
    this.conf = conf;
    this.port = port;
  }

  /** The postfix command, from PATH or the usual sbin directories. */
  public static Optional<Path> binary() {
    return DovecotServer.findExecutable("postfix", SEARCH_DIRS);
  }

  /** Why this process cannot run a private Postfix, if it cannot: the master and its queue need root. */
  public static Optional<String> cannotRun() throws IOException {
    // /proc/self belongs to the effective user of this process.
    if (!Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))) {
      return Optional.of("Postfix's master must run as root, and this test does not");
    }
    UserPrincipalLookupService users = Path.of("/").getFileSystem().getUserPrincipalLookupService();
    try {
      users.lookupPrincipalByName("postfix");
      users.lookupPrincipalByGroupName("postdrop");
    } catch (UserPrincipalNotFoundException e) {
      return Optional.of("the postfix user or postdrop group is missing (the Debian package postfix creates them)");
    }
    return Optional.empty();
  }

  /** {@code postconf -d -h mail_version}, e.g. {@code 3.7.11}. */
  public static String version(Path binary) throws IOException, InterruptedException {
    Path postconf = binary.resolveSibling("postconf");
    return run(List.of(postconf.toString(), "-d", "-h", "mail_version"), null).strip();
  }

  /**
   * Writes the configuration into {@code dir}, runs {@code postfix -c <dir>/conf start} and waits until smtpd accepts.
   *
   * @param mailboxes addresses that get a Maildir; their domains become virtual_mailbox_domains
   */
  public static PostfixServer start(Path binary, Path dir, String... mailboxes) throws Exception {
    return start(binary, dir, List.of(), mailboxes);
  }

  /**
   * Like {@link #start(Path, Path, String...)}, with {@code settings} ({@code name = value} lines) added to main.cf
   * after the defaults, which they override (Postfix takes a parameter's last value), e.g.
   * {@code smtpd_client_port_logging = yes}.
   */
  public static PostfixServer start(Path binary, Path dir, List<String> settings, String... mailboxes)
      throws Exception {
    Optional<String> problem = cannotRun();
    if (problem.isPresent()) {
      throw new IllegalStateException(problem.get());
    }
    String version = version(binary);
    if (!atLeast(version, 3, 4)) {
      // maillog_file and postlogd, which let the test read the log without syslog, came with Postfix 3.4.
      throw new IllegalStateException("PostfixServer needs Postfix 3.4 or later, found " + version);
    }
    Path home = dir.toAbsolutePath();
    Path conf = Files.createDirectories(home.resolve("conf"));
    Files.createDirectories(home.resolve("queue"));
    Path data = Files.createDirectories(home.resolve("data"));
    Path vmail = Files.createDirectories(home.resolve("vmail"));
    // Postfix checks that its data directory belongs to mail_owner; virtual(8) writes as nobody, who must reach the
    // Maildirs through the root-only test directory (search permission only).
    UserPrincipalLookupService users = home.getFileSystem().getUserPrincipalLookupService();
    Files.setOwner(data, users.lookupPrincipalByName("postfix"));
    Files.setAttribute(vmail, "unix:uid", MAIL_ID);
    Files.setAttribute(vmail, "unix:gid", MAIL_ID);
    allowSearch(home);
    int port = ProxyUnderTest.freePort();
    Set<String> domains = new TreeSet<>();
    StringBuilder map = new StringBuilder();
    for (String address : mailboxes) {
      String domain = address.substring(address.indexOf('@') + 1);
      domains.add(domain);
      // A trailing slash makes virtual(8) deliver in Maildir format, one file per message.
      map.append(address).append(' ').append(domain).append('/').append(address, 0, address.indexOf('@'))
          .append("/\n");
    }
    Files.writeString(conf.resolve("vmailbox"), map.toString());
    Files.writeString(conf.resolve("main.cf"), mainCf(home, conf, String.join(", ", domains))
        + (settings.isEmpty() ? "" : String.join("\n", settings) + "\n"));
    Files.writeString(conf.resolve("master.cf"), masterCf(port));
    PostfixServer server = new PostfixServer(binary, home, conf, port);
    try {
      server.postfix("start");
      server.awaitPort(Duration.ofSeconds(10));
    } catch (IOException | RuntimeException e) {
      server.close();
      throw new IllegalStateException("postfix did not start: " + e.getMessage() + "\n" + server.log(), e);
    }
    return server;
  }

  private static String mainCf(Path home, Path conf, String domains) {
    return String.join("\n",
        "compatibility_level = 3.6",
        "queue_directory = " + home.resolve("queue"),
        "data_directory = " + home.resolve("data"),
        "mail_owner = postfix",
        "setgid_group = postdrop",
        // Logging to a file of our own, without syslog; the file must lie under one of maillog_file_prefixes.
        "maillog_file = " + home.resolve("maillog"),
        "maillog_file_prefixes = " + home,
        "myhostname = " + HOSTNAME,
        "mydomain = mailgate.test",
        "inet_interfaces = loopback-only",
        "inet_protocols = ipv4",
        "mynetworks = 127.0.0.1/32",
        // Nothing is delivered locally or sent out: only the virtual mailboxes below receive mail.
        "mydestination =",
        "alias_maps =",
        "alias_database =",
        "relayhost =",
        "local_transport = error:5.1.1 no local delivery in this test instance",
        "default_transport = error:5.4.4 no outbound mail in this test instance",
        "biff = no",
        // Names would come from DNS; XCLIENT NAME=[UNAVAILABLE] must show as "unknown" all the same.
        "smtpd_peername_lookup = no",
        "smtpd_authorized_xclient_hosts = " + XCLIENT_HOST,
        "smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination",
        "virtual_mailbox_domains = " + domains,
        "virtual_mailbox_base = " + home.resolve("vmail"),
        "virtual_mailbox_maps = texthash:" + conf.resolve("vmailbox"),
        "virtual_uid_maps = static:" + MAIL_ID,
        "virtual_gid_maps = static:" + MAIL_ID,
        "");
  }

  /** Only the services this instance needs, none chrooted (the queue is private anyway). */
  private static String masterCf(int port) {
    return String.join("\n",
        "127.0.0.1:" + port + " inet n - n - - smtpd",
        "cleanup   unix  n - n - 0 cleanup",
        "qmgr      unix  n - n 300 1 qmgr",
        "rewrite   unix  - - n - - trivial-rewrite",
        "bounce    unix  - - n - 0 bounce",
        "defer     unix  - - n - 0 bounce",
        "trace     unix  - - n - 0 bounce",
        "verify    unix  - - n - 1 verify",
        "flush     unix  n - n 1000? 0 flush",
        "proxymap  unix  - - n - - proxymap",
        "showq     unix  n - n - - showq",
        "error     unix  - - n - - error",
        "retry     unix  - - n - - error",
        "discard   unix  - - n - - discard",
        "virtual   unix  - n n - - virtual",
        "anvil     unix  - - n - 1 anvil",
        "scache    unix  - - n - 1 scache",
        "postlog   unix-dgram n - n - 1 postlogd",
        "");
  }

  private static void allowSearch(Path home) throws IOException {
    for (Path d = home; d != null; d = d.getParent()) {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(d);
      if (perms.add(PosixFilePermission.OTHERS_EXECUTE)) {
        Files.setPosixFilePermissions(d, perms);
      }
    }
  }

  static boolean atLeast(String version, int major, int minor) {
    String[] parts = version.split("[.]");
    try {
      int ma = Integer.parseInt(parts[0]);
      int mi = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
      return ma > major || (ma == major && mi >= minor);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Runs {@code postfix -c conf <command>}; throws with its output if it fails. */
  private void postfix(String command) throws IOException, InterruptedException {
    run(List.of(binary.toString(), "-c", conf.toString(), command), dir.resolve("postfix.out"));
  }

  /** Runs a short command with a bounded wait; its output goes to {@code log} (appended) or is returned. */
  private static String run(List<String> command, Path log) throws IOException, InterruptedException {
    Path out = log != null ? log : Files.createTempFile("postfix", ".out");
    try {
      // A file, not a pipe: "postfix start" leaves a daemon behind that must not hold our end of a pipe.
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
      if (!p.waitFor(COMMAND_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish within " + COMMAND_LIMIT.toSeconds() + " s");
      }
      String text = Files.readString(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IOException(String.join(" ", command) + " exited with status " + p.exitValue() + ": " + text.strip());
      }
      return text;
    } finally {
      if (log == null) {
        Files.deleteIfExists(out);
      }
    }
  }

  private void awaitPort(Duration limit) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw new IOException("port " + port + " not accepting after " + limit.toSeconds() + " s", e);
        }
        Thread.sleep(50);
      }
    }
  }

  /** The smtpd port on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** Postfix's maillog so far (empty before the first line is written). */
  public String maillog() throws IOException {
    Path file = dir.resolve("maillog");
    return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
  }

  /** The maillog and the postfix command's output, for failure messages. */
  public String log() {
    StringBuilder text = new StringBuilder();
    for (String name : List.of("postfix.out", "maillog")) {
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

  /** Every message delivered so far: the files in the Maildirs' {@code new} and {@code cur} directories. */
  public List<Path> deliveredMessages() throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir.resolve("vmail"))) {
      walk.filter(Files::isRegularFile).filter(PostfixServer::inMaildir).sorted().forEach(files::add);
    }
    return files;
  }

  private static boolean inMaildir(Path file) {
    String parent = file.getParent().getFileName().toString();
    return parent.equals("new") || parent.equals("cur");
  }

  /** {@code postfix -c conf stop}; the master stops its children. */
  @Override
  public void close() throws IOException {
    try {
      postfix("stop");
    } catch (IOException e) {
      // Not running (start failed early) is fine; anything else is in postfix.out for the failure message.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
