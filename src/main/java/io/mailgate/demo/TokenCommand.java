package io.mailgate.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code mailgate token USER}: prints a fresh bearer token for USER, valid for one hour, from the demo token issuer
 * ({@link DemoTokenIssuer}) whose key pair lives in {@code <prefix>/conf/demo} (made there if missing).
 *
 * <p>For trying OAUTHBEARER and XOAUTH2 with the demo configuration only, e.g.
 * {@code curl --oauth2-bearer "$(bin/mailgate token alice@example.org)" -u alice@example.org: imap://localhost:PORT/}.
 * The token carries {@code iss} {@value DemoTokenIssuer#ISSUER}, {@code aud} {@value DemoTokenIssuer#AUDIENCE} and
 * {@code scope} {@value DemoTokenIssuer#SCOPE}; mailgate accepts it only while its configuration trusts the demo
 * issuer ({@code demo_token_issuer}). A real deployment takes tokens from its own identity provider.
 */
public final class TokenCommand {

  /** How long the printed token is valid. */
  public static final Duration LIFETIME = Duration.ofHours(1);
  /** The issuer's folder under the prefix. */
  public static final Path ISSUER_DIR = Path.of("conf", "demo");

  static final String USAGE = "Usage: mailgate token USER\n"
      + "  Prints a bearer token for USER, valid for 1 hour, from the demo token issuer in <prefix>/conf/demo.\n"
      + "  For trying OAUTHBEARER with the demo configuration only.\n";

  private TokenCommand() {}

  /**
   * Runs the command.
   *
   * @param args the words after {@code token}: the user name (a leading {@code token} is skipped too)
   * @param prefix mailgate's prefix ({@code -p}, or the installation folder)
   * @param out receives the token and a line end, nothing else
   * @param err receives usage and error messages
   * @return 0 on success, 1 on a usage error or an unusable issuer folder
   */
  public static int run(String[] args, Path prefix, PrintStream out, PrintStream err) {
    String[] words = args.length > 0 && args[0].equals("token") ? java.util.Arrays.copyOfRange(args, 1, args.length)
        : args;
    if (words.length == 1 && (words[0].equals("-h") || words[0].equals("--help") || words[0].equals("-?"))) {
      err.print(USAGE);
      return 0;
    }
    if (words.length != 1 || words[0].isBlank() || words[0].startsWith("-")) {
      err.println("mailgate: token needs exactly one user name");
      err.print(USAGE);
      return 1;
    }
    Path dir = prefix.resolve(ISSUER_DIR);
    boolean existed = Files.exists(dir.resolve(DemoTokenIssuer.KEY_FILE));
    DemoTokenIssuer issuer;
    try {
      issuer = DemoTokenIssuer.loadOrCreate(dir);
    } catch (IOException e) {
      err.println("mailgate: [emerg] " + e.getMessage());
      return 1;
    }
    if (!existed) {
      err.println("mailgate: [notice] demo token issuer: made a new key pair (kid " + issuer.keyId() + ") in " + dir);
    }
    out.println(issuer.mint(words[0], LIFETIME, DemoTokenIssuer.AUDIENCE, DemoTokenIssuer.SCOPE));
    out.flush();
    return 0;
  }
}
