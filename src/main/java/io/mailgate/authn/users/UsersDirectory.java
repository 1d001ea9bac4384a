package io.mailgate.authn.users;

import io.mailgate.authn.routing.ReloadingFile;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The current users file: reloaded when its modification time or size changes (checked at most once per second, on
 * the executor, never on an event loop) or when {@link #reload()} is called (SIGHUP). A failed reload keeps the
 * previous version and logs an error.
 */
public final class UsersDirectory {

  private final ReloadingFile<UsersFile> file;
  private final Executor executor;

  /**
   * Loads {@code file} now, on the calling thread (start-up).
   *
   * @param executor the verifier pool: change checks and reloads run there
   * @throws IOException if the file cannot be read or has a bad line ({@link UsersFileException})
   */
  public UsersDirectory(Path file, Executor executor, Clock clock) throws IOException {
    this.file = ReloadingFile.open(file, UsersFile::load, executor, clock, "users file");
    this.executor = executor;
  }

  /** Looks {@code user} up on the executor, after a change check if one is due. */
  public CompletableFuture<Optional<UserEntry>> find(String user) {
    return CompletableFuture.supplyAsync(() -> snapshot().find(user), executor);
  }

  /** Reloads the file on the executor (SIGHUP); returns at once. */
  public void reload() {
    file.reload();
  }

  /** The current version, after a change check if one is due: does file I/O, so only on the executor. */
  UsersFile snapshot() {
    return file.currentChecked();
  }
}
