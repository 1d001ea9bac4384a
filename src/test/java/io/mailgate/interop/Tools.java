package io.mailgate.interop;

import io.mailgate.testkit.ChildProcess;
import io.mailgate.testkit.DovecotServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finding the client programs, asking their versions, and reading what they print. */
final class Tools {

  /** The hard limit of one client run; each client's own timeouts are shorter, so its own error shows first. */
  static final Duration CLIENT_LIMIT = Duration.ofSeconds(30);

  /** A server line carrying a SASL challenge in base64: IMAP/POP3 {@code + ...} or SMTP {@code 334 ...}. */
  private static final Pattern CHALLENGE = Pattern.compile("^(?:\\+|334) ([A-Za-z0-9+/]+={0,2})$");

  private Tools() {}

  /** The executable {@code name}, from the Debian locations first, then PATH. */
  static Optional<Path> find(String name) {
    return DovecotServer.findExecutable(name, List.of("/usr/bin", "/usr/sbin", "/usr/local/bin", "/bin"));
  }

  /** Debian's own binary where there is one (/usr/bin), else the first on PATH. */
  static Optional<Path> debianFirst(String name) {
    Path debian = Path.of("/usr/bin", name);
    return debian.toFile().canExecute() ? Optional.of(debian) : find(name);
  }

  /** The first non-empty line {@code command} prints (stdout, else stderr) that contains {@code marker}. */
  static String versionLine(Path workDir, String marker, String... command) throws IOException, InterruptedException {
    ChildProcess.Result r = ChildProcess.run(List.of(command), workDir, Duration.ofSeconds(10));
    List<String> lines = new ArrayList<>(r.text().lines().toList());
    lines.addAll(r.stderr().lines().toList());
    return lines.stream().filter(l -> l.contains(marker)).map(String::strip).findFirst()
        .orElse(String.join(" ", command) + ": no version printed");
  }

  /**
   * The first decoded SASL challenge that is a JSON object (an RFC 7628 §3.2.2 error challenge) in the server lines
   * of a protocol trace; {@code serverPrefix} marks server lines (curl -v: {@code "< "}).
   */
  static Optional<String> errorChallengeIn(String trace, String serverPrefix) {
    for (String line : trace.lines().toList()) {
      if (!line.startsWith(serverPrefix)) {
        continue;
      }
      Matcher m = CHALLENGE.matcher(line.substring(serverPrefix.length()).strip());
      if (m.matches()) {
        try {
          String decoded = new String(Base64.getDecoder().decode(m.group(1)), java.nio.charset.StandardCharsets.UTF_8);
          if (decoded.startsWith("{")) {
            return Optional.of(decoded);
          }
        } catch (IllegalArgumentException notBase64) {
          // an ordinary continuation text
        }
      }
    }
    return Optional.empty();
  }
}
