package io.mailgate.interop;

import io.mailgate.testkit.ChildProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * swaks: SMTP with AUTH PLAIN, LOGIN and CRAM-MD5, STARTTLS ({@code -tls}) or implicit TLS ({@code -tlsc}) with the
 * certificate verified, and PIPELINING (RFC 2920, {@code --pipeline}) for the envelope. The message goes as the DATA
 * portion from a file ({@code --data @FILE}); swaks dot-stuffs it.
 */
final class SwaksDriver implements MailClient {

  /** swaks's transcript of a 235 (RFC 4954 §4: authentication succeeded), in cleartext ({@code <-}) or TLS. */
  private static final Pattern AUTHENTICATED = Pattern.compile("(?m)^<[-~] +235 ");

  private final Path workDir;
  private final Optional<Path> binary = Tools.find("swaks");

  SwaksDriver(Path workDir) {
    this.workDir = workDir;
  }

  @Override
  public String name() {
    return "swaks";
  }

  @Override
  public String version() throws Exception {
    return Tools.versionLine(workDir, "version", binary.orElseThrow().toString(), "--version");
  }

  @Override
  public Optional<String> missing() {
    return binary.isPresent() ? Optional.empty() : Optional.of("swaks is not installed (Debian package swaks)");
  }

  @Override
  public Set<Mechanism> mechanisms(Protocol protocol) {
    return protocol == Protocol.SMTP
        ? EnumSet.of(Mechanism.PLAIN, Mechanism.LOGIN, Mechanism.CRAM_MD5, Mechanism.NONE)
        : EnumSet.noneOf(Mechanism.class);
  }

  @Override
  public boolean showsErrorChallenge(Mechanism mechanism) {
    return false;
  }

  @Override
  public Outcome read(Attempt attempt) {
    throw new UnsupportedOperationException("swaks only sends");
  }

  @Override
  public Outcome send(Attempt a, String from, String rcpt, byte[] message) throws Exception {
    // swaks ends the DATA portion with CRLF "." CRLF itself, so a final CRLF of its own would add an empty line.
    int length = message.length >= 2 && message[message.length - 2] == '\r' && message[message.length - 1] == '\n'
        ? message.length - 2 : message.length;
    Path file = Files.write(Files.createTempFile(workDir, "message", ".eml"), Arrays.copyOf(message, length));
    List<String> command = new ArrayList<>(List.of(binary.orElseThrow().toString(),
        "--server", Endpoint.HOST, "--port", Integer.toString(a.port()), "--helo", "swaks.mailgate.test",
        "--from", from, "--to", rcpt, "--data", "@" + file, "--pipeline", "--timeout", "15"));
    if (a.mechanism() != Mechanism.NONE) {
      command.addAll(List.of("--auth", a.mechanism().saslName(), "--auth-user", a.user(), "--auth-password",
          a.secret()));
    }
    if (a.transport() != Transport.CLEARTEXT) {
      command.addAll(List.of(a.transport() == Transport.TLS ? "-tlsc" : "-tls", "--tls-verify", "--tls-ca-path",
          a.endpoint().caCertificate().toString()));
    }
    ChildProcess.Result r = ChildProcess.run(command, workDir, Tools.CLIENT_LIMIT);
    boolean loggedIn = a.mechanism() == Mechanism.NONE ? r.exitCode() == 0
        : AUTHENTICATED.matcher(r.text()).find();
    return new Outcome(loggedIn, "", null, r.exitCode() == 0, Optional.empty(), r.text() + "\n" + r.describe());
  }
}
