package io.mailgate.authn.users;

import io.mailgate.authn.routing.DataFileLines;
import io.mailgate.authn.routing.FileFormatException;
import io.mailgate.authn.routing.HostPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The users file, parsed: lines {@code user:hash[:host:port]} (host an IP literal, {@code [IPv6]}, or a name resolved
 * at load time); {@code #} comment lines and blank lines are ignored. Immutable.
 */
public final class UsersFile {

  private static final Logger LOG = LoggerFactory.getLogger(UsersFile.class);
  // Verified for unknown users when the file has no usable hash (bcrypt cost 10 of an unrelated word), so that even
  // then an unknown user costs a hash computation.
  private static final String FALLBACK_DUMMY_HASH = "$2b$10$abcdefghijklmnopqrstuuqflPDzB6gcMhKa1rZqKiun2YGL5sa2u";

  private final Map<String, UserEntry> users;
  private final String timingDummyHash;

  private UsersFile(Map<String, UserEntry> users, String timingDummyHash) {
    this.users = Map.copyOf(users);
    this.timingDummyHash = timingDummyHash;
  }

  /**
   * Reads and parses {@code file} (resolving backend host names: not on an event loop). Warns, once per line, about
   * hashes of unsupported schemes: those users cannot log in.
   *
   * @throws UsersFileException naming {@code file:line} for a bad line
   */
  public static UsersFile load(Path file) throws IOException {
    Map<String, UserEntry> users = new HashMap<>();
    String dummy = null;
    List<String> lines;
    try {
      lines = DataFileLines.read(file);
    } catch (FileFormatException e) {
      throw new UsersFileException(file, e.line(), "not valid UTF-8");
    }
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      UserEntry entry = parse(file, i + 1, line);
      if (users.putIfAbsent(entry.user(), entry) != null) {
        throw new UsersFileException(file, i + 1, "duplicate user \"" + entry.user() + "\"");
      }
      if (!PasswordHashes.isSupported(entry.hash())) {
        LOG.warn("{}:{}: the password hash of user \"{}\" is malformed or of an unsupported scheme (supported: bcrypt, "
            + "SHA-512-crypt, Argon2id); this user cannot log in", file, i + 1, entry.user());
      } else if (dummy == null) {
        dummy = entry.hash();
      }
    }
    return new UsersFile(users, dummy == null ? FALLBACK_DUMMY_HASH : dummy);
  }

  // Messages quote neither the line nor the hash field: a mistyped line may hold a password or a hash.
  private static UserEntry parse(Path file, int number, String line) throws UsersFileException {
    int userEnd = line.indexOf(':');
    if (userEnd < 0) {
      throw new UsersFileException(file, number, "expected user:hash[:host:port]");
    }
    if (userEnd == 0) {
      throw new UsersFileException(file, number, "empty user name");
    }
    String user = line.substring(0, userEnd);
    int hashEnd = line.indexOf(':', userEnd + 1);
    String hash = hashEnd < 0 ? line.substring(userEnd + 1) : line.substring(userEnd + 1, hashEnd);
    if (hash.isEmpty()) {
      throw new UsersFileException(file, number, "empty password hash for user \"" + user + "\"");
    }
    Optional<InetSocketAddress> backend = Optional.empty();
    if (hashEnd >= 0) {
      try {
        backend = Optional.of(HostPort.parse(line.substring(hashEnd + 1)));
      } catch (IllegalArgumentException e) {
        throw new UsersFileException(file, number, "bad backend for user \"" + user
            + "\": expected host:port or [IPv6]:port with a resolvable host and a port 1-65535");
      }
    }
    return new UserEntry(user, hash, backend);
  }

  /** The entry for {@code user}, matched exactly. */
  public Optional<UserEntry> find(String user) {
    return Optional.ofNullable(users.get(user));
  }

  /** How many users the file lists. */
  public int size() {
    return users.size();
  }

  /** The user names, in no particular order (the demo mail store serves exactly these users). */
  public java.util.List<String> userNames() {
    return java.util.List.copyOf(users.keySet());
  }

  /**
   * A hash to verify for unknown users so they take as long as known ones: the first usable hash in the file (same
   * scheme and cost as real users), else a fixed bcrypt hash. The result of that verification is always discarded.
   */
  String timingDummyHash() {
    return timingDummyHash;
  }
}
