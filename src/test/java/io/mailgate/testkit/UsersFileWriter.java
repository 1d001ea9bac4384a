package io.mailgate.testkit;

import io.mailgate.authn.users.PasswordHashes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an {@code auth_users} file ({@code user:hash} lines) with hashes made by mailgate's own
 * {@link PasswordHashes}, and rewrites it in place with a modification time that visibly moved on, as an
 * administrator editing the file would.
 */
public final class UsersFileWriter {

  /** The password-hash schemes mailgate verifies. */
  public enum Scheme {
    /** {@code $2b$}, cost 4 (the minimum: tests stay fast; the cost is read from the hash). */
    BCRYPT,
    /** {@code $6$} with the default 5000 rounds. */
    SHA512_CRYPT,
    /** {@code $argon2id$} PHC string. */
    ARGON2ID
  }

  private final Path file;
  private final List<String> lines = new ArrayList<>();
  private final List<String> hashes = new ArrayList<>();

  /** A writer for {@code file} (nothing is written until {@link #write}). */
  public UsersFileWriter(Path file) {
    this.file = file;
    lines.add("# written by UsersFileWriter");
  }

  /** The file. */
  public Path file() {
    return file;
  }

  /** Adds {@code user} with a {@code scheme} hash of {@code password}. */
  public UsersFileWriter user(String user, String password, Scheme scheme) {
    String hash = hash(password, scheme);
    hashes.add(hash);
    lines.add(user + ":" + hash);
    return this;
  }

  /** Every hash written so far (for checking that none is ever logged). */
  public List<String> hashes() {
    return List.copyOf(hashes);
  }

  /**
   * Writes the file; when it existed, its modification time is set two seconds past the old one, so that the change
   * shows even on file systems with coarse timestamps.
   */
  public UsersFileWriter write() throws IOException {
    Instant previous = Files.exists(file) ? Files.getLastModifiedTime(file).toInstant() : null;
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    if (previous != null) {
      Instant bumped = previous.plus(Duration.ofSeconds(2));
      Instant now = Instant.now();
      Files.setLastModifiedTime(file, FileTime.from(bumped.isAfter(now) ? bumped : now));
    }
    return this;
  }

  private static String hash(String password, Scheme scheme) {
    byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
    switch (scheme) {
      case BCRYPT:
        return PasswordHashes.bcrypt(bytes, 4);
      case SHA512_CRYPT:
        return PasswordHashes.sha512Crypt(bytes);
      default:
        return PasswordHashes.argon2id(bytes);
    }
  }
}
