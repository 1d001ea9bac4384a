package io.mailgate.authn.routing;

import io.mailgate.backend.BackendTarget;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where mailboxes live, from a map file. One entry a line, {@code key host:port [host:port...]}, where the key is a user
 * ({@code alice@example.com}, or a bare {@code alice}), a domain ({@code @example.com}) or {@code *} (everybody
 * else). {@code #} starts a comment line; blank lines are ignored. Domains match case-insensitively (RFC 5321
 * section 2.4), local parts exactly. Host names are resolved when the file is loaded, to all their addresses. A login
 * tries a line's addresses in order (each name's in the resolver's order), moving on when one refuses the connection
 * or does not accept it within {@code proxy_connect_timeout}.
 */
public final class BackendMap {

  private final Map<String, BackendTarget> users;
  private final Map<String, BackendTarget> domains;
  private final Optional<BackendTarget> fallback;

  private BackendMap(Map<String, BackendTarget> users, Map<String, BackendTarget> domains,
      Optional<BackendTarget> fallback) {
    this.users = Map.copyOf(users);
    this.domains = Map.copyOf(domains);
    this.fallback = fallback;
  }

  /**
   * Reads and parses {@code file} (resolving host names: not on an event loop).
   *
   * @throws FileFormatException naming {@code file:line} for a bad line
   */
  public static BackendMap load(Path file) throws IOException {
    Map<String, BackendTarget> users = new HashMap<>();
    Map<String, BackendTarget> domains = new HashMap<>();
    BackendTarget fallback = null;
    List<String> lines = DataFileLines.read(file);
    for (int i = 0; i < lines.size(); i++) {
      int number = i + 1;
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] fields = line.split("\\s+");
      if (fields.length < 2) {
        throw new FileFormatException(file, number, "expected \"user-or-@domain-or-* host:port [host:port...]\"");
      }
      BackendTarget backend;
      try {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (int f = 1; f < fields.length; f++) {
          addresses.addAll(HostPort.parseAll(fields[f]));
        }
        // One name on the line: the backend's certificate is checked against it (see BackendTlsPlan).
        backend = new BackendTarget(addresses,
            fields.length == 2 ? HostPort.hostName(fields[1]) : Optional.empty());
      } catch (IllegalArgumentException e) {
        throw new FileFormatException(file, number, e.getMessage());
      }
      String key = fields[0];
      boolean duplicate;
      if (key.equals("*")) {
        duplicate = fallback != null;
        fallback = backend;
      } else if (key.startsWith("@")) {
        if (key.length() == 1 || key.indexOf('@', 1) >= 0) {
          throw new FileFormatException(file, number, "bad domain \"" + key + "\"");
        }
        duplicate = domains.put(key.substring(1).toLowerCase(Locale.ROOT), backend) != null;
      } else {
        if (key.endsWith("@")) {
          throw new FileFormatException(file, number, "bad user \"" + key + "\"");
        }
        duplicate = users.put(normalize(key), backend) != null;
      }
      if (duplicate) {
        throw new FileFormatException(file, number, "duplicate entry \"" + key + "\"");
      }
    }
    return new BackendMap(users, domains, Optional.ofNullable(fallback));
  }

  /** The backend for {@code user}: the user's own line, else its domain's, else {@code *}'s, else none. */
  public Optional<BackendTarget> lookup(String user) {
    BackendTarget exact = users.get(normalize(user));
    if (exact != null) {
      return Optional.of(exact);
    }
    int at = user.lastIndexOf('@');
    if (at >= 0) {
      BackendTarget domain = domains.get(user.substring(at + 1).toLowerCase(Locale.ROOT));
      if (domain != null) {
        return Optional.of(domain);
      }
    }
    return fallback;
  }

  /** How many lines map something (users, domains and the default). */
  public int size() {
    return users.size() + domains.size() + (fallback.isPresent() ? 1 : 0);
  }

  // The domain part is case-insensitive, the local part is not (RFC 5321 section 2.4).
  private static String normalize(String user) {
    int at = user.lastIndexOf('@');
    return at < 0 ? user : user.substring(0, at + 1) + user.substring(at + 1).toLowerCase(Locale.ROOT);
  }
}
