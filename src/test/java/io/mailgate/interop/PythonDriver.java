package io.mailgate.interop;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.mailgate.testkit.ChildProcess;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Python's imaplib, poplib and smtplib, driven by {@code mailclient.py} (next to this class in the test resources):
 * LOGIN/USER-PASS, {@code authenticate}/{@code auth} with PLAIN, LOGIN, CRAM-MD5, XOAUTH2 and OAUTHBEARER (POP3's AUTH
 * over poplib's line primitives), STARTTLS and implicit TLS. The script reports in JSON, including the error challenge
 * its SASL callback was given.
 */
final class PythonDriver implements MailClient {

  private final Path workDir;
  private final Optional<Path> binary = Tools.debianFirst("python3");

  PythonDriver(Path workDir) {
    this.workDir = workDir;
  }

  @Override
  public String name() {
    return "python";
  }

  @Override
  public String version() throws Exception {
    return Tools.versionLine(workDir, "Python", binary.orElseThrow().toString(), "--version")
        + " (imaplib, poplib, smtplib)";
  }

  @Override
  public Optional<String> missing() {
    return binary.isPresent() ? Optional.empty() : Optional.of("python3 is not installed (Debian package python3)");
  }

  @Override
  public Set<Mechanism> mechanisms(Protocol protocol) {
    Set<Mechanism> m = EnumSet.of(Mechanism.PLAIN, Mechanism.LOGIN, Mechanism.CRAM_MD5, Mechanism.XOAUTH2,
        Mechanism.OAUTHBEARER);
    m.add(protocol.reads() ? Mechanism.DEFAULT : Mechanism.NONE);
    return m;
  }

  @Override
  public boolean showsErrorChallenge(Mechanism mechanism) {
    return mechanism.bearer();
  }

  @Override
  public Outcome read(Attempt a) throws Exception {
    Path out = workDir.resolve("python-fetched.eml");
    Files.deleteIfExists(out);
    Map<String, Object> r = run(a, List.of("--out", out.toString()));
    return outcome(r, Files.exists(out) ? Files.readAllBytes(out) : null);
  }

  @Override
  public Outcome send(Attempt a, String from, String rcpt, byte[] message) throws Exception {
    Path file = Files.write(Files.createTempFile(workDir, "message", ".eml"), message);
    return outcome(run(a, List.of("--message", file.toString(), "--mail-from", from, "--rcpt", rcpt)), null);
  }

  private Map<String, Object> run(Attempt a, List<String> extra) throws Exception {
    List<String> command = new ArrayList<>(List.of(binary.orElseThrow().toString(), script().toString(),
        "--protocol", a.protocol().scheme(), "--port", Integer.toString(a.port()),
        "--security", switch (a.transport()) {
          case CLEARTEXT -> "plain";
          case STARTTLS -> "starttls";
          case TLS -> "tls";
        },
        "--mechanism", a.mechanism() == Mechanism.DEFAULT ? "DEFAULT" : a.mechanism().saslName().toUpperCase(),
        "--user", a.user(), "--secret", a.secret()));
    if (a.transport() != Transport.CLEARTEXT) {
      command.addAll(List.of("--cafile", a.endpoint().caCertificate().toString()));
    }
    command.addAll(extra);
    ChildProcess.Result r = ChildProcess.run(command, workDir, Tools.CLIENT_LIMIT);
    String json = r.text().strip();
    if (r.exitCode() != 0 || !json.startsWith("{")) {
      throw new AssertionError("mailclient.py did not report: " + r.describe() + "\nstdout: " + json);
    }
    Map<String, Object> result = JSONObjectUtils.parse(json);
    result.put("transcript", json + (r.stderr().isBlank() ? "" : "\nstderr: " + r.stderr()));
    return result;
  }

  private static Outcome outcome(Map<String, Object> r, byte[] fetched) {
    return new Outcome(Boolean.TRUE.equals(r.get("loggedIn")), String.valueOf(r.get("listing")), fetched,
        Boolean.TRUE.equals(r.get("sent")), Optional.ofNullable((String) r.get("errorChallenge")),
        (String) r.get("transcript"));
  }

  private static Path script() throws URISyntaxException {
    return Path.of(PythonDriver.class.getResource("mailclient.py").toURI());
  }
}
