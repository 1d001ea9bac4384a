package io.mailgate.interop;

import io.mailgate.testkit.CurlClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * curl: {@code imap://}, {@code imaps://}, {@code pop3://}, {@code smtp://}, with {@code --login-options AUTH=...},
 * {@code --oauth2-bearer}, and {@code --ssl-reqd} for STARTTLS. Run with {@code -v}, whose {@code < } lines show the
 * server's error challenge.
 */
final class CurlDriver implements MailClient {

  private final Path workDir;
  private final Optional<Path> binary = CurlClient.binary();

  CurlDriver(Path workDir) {
    this.workDir = workDir;
  }

  @Override
  public String name() {
    return "curl";
  }

  @Override
  public String version() throws Exception {
    return curl().version();
  }

  @Override
  public Optional<String> missing() {
    return binary.isPresent() ? Optional.empty() : Optional.of("curl is not installed (Debian package curl)");
  }

  @Override
  public Set<Mechanism> mechanisms(Protocol protocol) {
    Set<Mechanism> m = EnumSet.of(Mechanism.PLAIN, Mechanism.LOGIN, Mechanism.CRAM_MD5, Mechanism.XOAUTH2,
        Mechanism.OAUTHBEARER);
    // No DEFAULT: curl 7.88 sends IMAP's LOGIN command and POP3's USER/PASS only when the server offers no SASL
    // mechanism curl knows, and rejects --login-options AUTH=+LOGIN (exit 3, a later curl's way to ask for LOGIN).
    if (protocol == Protocol.SMTP) {
      m.add(Mechanism.NONE);
    }
    return m;
  }

  @Override
  public boolean showsErrorChallenge(Mechanism mechanism) {
    return mechanism.bearer();
  }

  @Override
  public Outcome read(Attempt a) throws Exception {
    CurlClient.Result list = run(a, List.of(), "");
    if (list.exitCode() != 0) {
      return Outcome.refused(Tools.errorChallengeIn(list.stderr(), "< "), transcript(list));
    }
    CurlClient.Result fetch = run(a, List.of(), a.protocol() == Protocol.IMAP ? "INBOX;UID=1" : "1");
    return new Outcome(true, list.text(), fetch.exitCode() == 0 ? fetch.stdout() : null, false, Optional.empty(),
        transcript(list) + "\n" + transcript(fetch));
  }

  @Override
  public Outcome send(Attempt a, String from, String rcpt, byte[] message) throws Exception {
    Path file = Files.write(Files.createTempFile(workDir, "message", ".eml"), message);
    CurlClient.Result r = run(a, List.of("--mail-from", from, "--mail-rcpt", rcpt, "--upload-file", file.toString()),
        "curl.mailgate.test");
    // RFC 4954 §4: 235 is the end of a successful AUTH; without AUTH, a sent message is the proof.
    boolean loggedIn = a.mechanism() == Mechanism.NONE ? r.exitCode() == 0 : r.stderr().contains("< 235 ");
    return new Outcome(loggedIn, "", null, r.exitCode() == 0,
        loggedIn ? Optional.empty() : Tools.errorChallengeIn(r.stderr(), "< "), transcript(r));
  }

  private CurlClient.Result run(Attempt a, List<String> extra, String path) throws Exception {
    List<String> args = new ArrayList<>(List.of("-sS", "-v", "--max-time", "15"));
    args.addAll(login(a));
    if (a.transport() != Transport.CLEARTEXT) {
      args.addAll(List.of("--cacert", a.endpoint().caCertificate().toString()));
    }
    if (a.transport() == Transport.STARTTLS) {
      args.add("--ssl-reqd");
    }
    args.addAll(extra);
    String scheme = a.transport() == Transport.TLS ? a.protocol().tlsScheme() : a.protocol().scheme();
    args.add(scheme + "://" + Endpoint.HOST + ":" + a.port() + "/" + path);
    return curl().run(Tools.CLIENT_LIMIT, args.toArray(String[]::new));
  }

  private static List<String> login(Attempt a) {
    return switch (a.mechanism()) {
      case NONE -> List.of();
      case XOAUTH2, OAUTHBEARER -> List.of("--login-options", "AUTH=" + a.mechanism().saslName(), "--oauth2-bearer",
          a.secret(), "-u", a.user());
      default -> List.of("--login-options", "AUTH=" + a.mechanism().saslName(), "-u", a.user() + ":" + a.secret());
    };
  }

  private CurlClient curl() {
    return new CurlClient(binary.orElseThrow(), workDir);
  }

  private static String transcript(CurlClient.Result r) {
    return r.describe();
  }
}
