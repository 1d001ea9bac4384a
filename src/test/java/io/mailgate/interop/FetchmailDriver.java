package io.mailgate.interop;

import io.mailgate.testkit.ChildProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * fetchmail, one non-daemon poll from a run-control file of its own: the password (IMAP LOGIN, POP3 USER/PASS) or
 * CRAM-MD5 (6.4 has no OAuth mechanism), TLS verified against the matrix's CA (fetchmail takes STARTTLS whenever it is
 * offered), the message kept on the server and handed to an MDA that writes it to a file. {@code set invisible} and
 * {@code no stripcr} keep fetchmail from adding its Received line or stripping CRs, so the file is the message as
 * served. Its verbose protocol trace ({@code -v}) is the listing: the SELECT of INBOX, or POP3's STAT.
 */
final class FetchmailDriver implements MailClient {

  private final Path workDir;
  private final Optional<Path> binary = Tools.find("fetchmail");

  FetchmailDriver(Path workDir) {
    this.workDir = workDir;
  }

  @Override
  public String name() {
    return "fetchmail";
  }

  @Override
  public String version() throws Exception {
    return Tools.versionLine(workDir, "release", binary.orElseThrow().toString(), "--version");
  }

  @Override
  public Optional<String> missing() {
    return binary.isPresent() ? Optional.empty() : Optional.of("fetchmail is not installed (Debian package fetchmail)");
  }

  @Override
  public Set<Mechanism> mechanisms(Protocol protocol) {
    return protocol.reads() ? EnumSet.of(Mechanism.DEFAULT, Mechanism.CRAM_MD5) : EnumSet.noneOf(Mechanism.class);
  }

  @Override
  public Transport transport(Listener listener) {
    return listener == Listener.IMPLICIT_TLS ? Transport.TLS : Transport.STARTTLS;
  }

  @Override
  public boolean showsErrorChallenge(Mechanism mechanism) {
    return false;
  }

  @Override
  public Outcome read(Attempt a) throws Exception {
    Path home = Files.createDirectories(workDir.resolve("fetchmail-home"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path out = home.resolve("fetched.eml");
    Files.deleteIfExists(out);
    Path rc = home.resolve("fetchmailrc");
    Files.writeString(rc, String.join("\n",
        "set no syslog",
        "set invisible",
        "set no bouncemail",
        "poll " + Endpoint.HOST + " service " + a.port() + " protocol " + a.protocol().name()
            + " auth " + (a.mechanism() == Mechanism.CRAM_MD5 ? "cram-md5" : "password") + " timeout 15",
        "  user " + quoted(a.user()) + " there with password " + quoted(a.secret()) + " is "
            + quoted(System.getProperty("user.name")) + " here",
        "  keep fetchall no rewrite no stripcr",
        "  mda " + quoted("cat > " + out),
        // fetchmail 6.4 matches only DNS names, never IP address SANs: it checks the certificate's "localhost".
        "  sslcertck sslcommonname localhost sslcertfile " + quoted(a.endpoint().caCertificate().toString())
            + (a.transport() == Transport.TLS ? " ssl" : ""),
        ""));
    Files.setPosixFilePermissions(rc, PosixFilePermissions.fromString("rw-------"));
    ChildProcess.Result r = ChildProcess.run(List.of(binary.orElseThrow().toString(), "-v", "-f", rc.toString()),
        workDir, Tools.CLIENT_LIMIT, Map.of("FETCHMAILHOME", home.toString()), null);
    String trace = r.text() + "\n" + r.stderr();
    // fetchmail's exit status 0: mail was retrieved; 1: none; 3: authentication failed (fetchmail(1), EXIT CODES).
    if (r.exitCode() != 0 && r.exitCode() != 1) {
      return Outcome.refused(Optional.empty(), trace + "\nexit " + r.exitCode());
    }
    return new Outcome(true, trace, Files.exists(out) ? Files.readAllBytes(out) : null, false, Optional.empty(),
        trace);
  }

  @Override
  public Outcome send(Attempt attempt, String from, String rcpt, byte[] message) {
    throw new UnsupportedOperationException("fetchmail only reads");
  }

  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
