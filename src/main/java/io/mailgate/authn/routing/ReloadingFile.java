package io.mailgate.authn.routing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The current version of a data file (users file, backend map), reloaded when its modification time or size changes
 * (looked at no more than once per second) or when {@link #reload()} is called (SIGHUP). File access happens on the
 * given executor or on the caller of {@link #currentChecked()}, never on an event loop. A failed reload keeps the
 * previous version and logs an error.
 *
 * @param <T> the parsed, immutable form of the file
 */
public final class ReloadingFile<T> {

  /** Parses the file; its exceptions' messages are logged, so they must not quote secrets. */
  @FunctionalInterface
  public interface Loader<T> {
    /** Reads and parses {@code file}. */
    T load(Path file) throws IOException;
  }

  private static final Logger LOG = LoggerFactory.getLogger(ReloadingFile.class);
  private static final long CHECK_INTERVAL_MILLIS = 1000;

  private final Path file;
  private final Loader<T> loader;
  private final Executor executor;
  private final Clock clock;
  private final String kind;
  private final AtomicLong nextCheckMillis;
  private volatile T current;
  // The file's state at the last load attempt, successful or not: a broken file is retried only once it changes
  // again, so it yields one error line, not one per second.
  private volatile Optional<Stamp> attempted;

  private ReloadingFile(Path file, Loader<T> loader, Executor executor, Clock clock, String kind, T first,
      Optional<Stamp> stamp) {
    this.file = file;
    this.loader = loader;
    this.executor = executor;
    this.clock = clock;
    this.kind = kind;
    this.current = first;
    this.attempted = stamp;
    this.nextCheckMillis = new AtomicLong(clock.millis() + CHECK_INTERVAL_MILLIS);
  }

  /**
   * Loads {@code file} now (on the calling thread: start-up).
   *
   * @param executor where checks and reloads run (the verifier pool)
   * @param kind what the file is, for log lines ({@code users file}, {@code backend map})
   * @throws IOException if the first load fails
   */
  public static <T> ReloadingFile<T> open(Path file, Loader<T> loader, Executor executor, Clock clock, String kind)
      throws IOException {
    Optional<Stamp> stamp = Stamp.of(file);
    T first = Objects.requireNonNull(loader.load(file), "loader returned null");
    return new ReloadingFile<>(file, loader, executor, clock, kind, first, stamp);
  }

  /** The file this watches. */
  public Path file() {
    return file;
  }

  /**
   * The current version, without touching the file: safe on an event loop. When a check is due it is queued on the
   * executor, so a change shows up on a later call.
   */
  public T current() {
    if (claimCheck()) {
      try {
        executor.execute(this::checkNow);
      } catch (RejectedExecutionException e) {
        LOG.debug("{} {}: change check skipped, executor is shut down", kind, file);
      }
    }
    return current;
  }

  /**
   * The current version, after looking at the file on this thread when a check is due, so a change shows up at once.
   * Does file I/O: call it on the executor, never on an event loop.
   */
  public T currentChecked() {
    if (claimCheck()) {
      checkNow();
    }
    return current;
  }

  /** Reloads on the executor whether or not the file changed (SIGHUP). Returns at once. */
  public void reload() {
    try {
      executor.execute(this::reloadNow);
    } catch (RejectedExecutionException e) {
      LOG.error("{} {}: reload not possible, executor is shut down", kind, file);
    }
  }

  // One caller per interval wins the compare-and-set, so concurrent logins do not all stat the file.
  private boolean claimCheck() {
    long now = clock.millis();
    long next = nextCheckMillis.get();
    return now >= next && nextCheckMillis.compareAndSet(next, now + CHECK_INTERVAL_MILLIS);
  }

  private void checkNow() {
    Optional<Stamp> stamp;
    try {
      stamp = Stamp.of(file);
    } catch (IOException e) {
      stamp = Optional.empty();
    }
    if (!stamp.equals(attempted)) {
      reloadNow();
    }
  }

  // Synchronized: a HUP and a change check may both reload; the second simply loads again.
  private synchronized void reloadNow() {
    Optional<Stamp> stamp;
    try {
      // Stamped before reading, so a write that lands during the load is picked up by the next check.
      stamp = Stamp.of(file);
    } catch (IOException e) {
      stamp = Optional.empty();
    }
    attempted = stamp;
    try {
      current = Objects.requireNonNull(loader.load(file), "loader returned null");
      LOG.info("{} {} reloaded", kind, file);
    } catch (IOException | RuntimeException e) {
      // The message names file:line and never a secret (Loader contract); no stack trace for an expected error.
      LOG.error("{} {}: reload failed, keeping the previous version: {}", kind, file, e.getMessage());
    }
  }

  /** What "changed" means: modification time or size. Empty when the file cannot be read. */
  private record Stamp(FileTime modified, long size) {
    static Optional<Stamp> of(Path file) throws IOException {
      if (!Files.exists(file)) {
        return Optional.empty();
      }
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      return Optional.of(new Stamp(attributes.lastModifiedTime(), attributes.size()));
    }
  }
}
