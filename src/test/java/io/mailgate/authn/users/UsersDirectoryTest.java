package io.mailgate.authn.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailgate.authn.routing.ManualClock;
import io.mailgate.testkit.LogCapture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsersDirectoryTest {

  private static final String HASH = UsersFileTest.ALICE_HASH;

  @TempDir
  Path dir;

  private final ManualClock clock = new ManualClock();
  private Path file;
  private int mtimeBump;

  @BeforeEach
  void writeFirstVersion() throws Exception {
    file = dir.resolve("users");
    rewrite("alice:" + HASH + "\n");
  }

  // An explicit new modification time: a same-size rewrite within the file system's granularity looks unchanged.
  private void rewrite(String text) throws IOException {
    Files.writeString(file, text);
    Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2030-01-01T00:00:00Z").plusSeconds(++mtimeBump)));
  }

  private static Optional<UserEntry> find(UsersDirectory users, String user) throws Exception {
    return users.find(user).get(5, TimeUnit.SECONDS);
  }

  @Test
  void looksUsersUpOnTheExecutor() throws Exception {
    AtomicInteger created = new AtomicInteger();
    ExecutorService pool =
        Executors.newSingleThreadExecutor(r -> new Thread(r, "verifier-" + created.incrementAndGet()));
    try {
      UsersDirectory users = new UsersDirectory(file, pool, clock);
      // The pool's only thread waits until the callback is attached, so the callback runs where the lookup completes.
      CountDownLatch attached = new CountDownLatch(1);
      pool.execute(() -> {
        try {
          attached.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });

      CompletableFuture<String> thread = users.find("alice").thenApply(e -> Thread.currentThread().getName());
      attached.countDown();

      assertThat(thread.get(5, TimeUnit.SECONDS)).isEqualTo("verifier-1");
      assertThat(find(users, "alice").map(UserEntry::hash)).contains(HASH);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void picksUpAChangedFileOnceASecondHasPassed() throws Exception {
    UsersDirectory users = new UsersDirectory(file, Runnable::run, clock);
    rewrite("alice:" + HASH + "\nbob:" + HASH + "\n");

    assertThat(find(users, "bob")).as("within the first second").isEmpty();
    clock.advance(Duration.ofSeconds(1));
    assertThat(find(users, "bob")).isPresent();
    rewrite("bob:" + HASH + "\n");
    clock.advance(Duration.ofMillis(500));
    assertThat(find(users, "alice")).as("half a second after the last check").isPresent();
    clock.advance(Duration.ofMillis(500));
    assertThat(find(users, "alice")).isEmpty();
  }

  @Test
  void reloadPicksUpAChangeAtOnce() throws Exception {
    UsersDirectory users = new UsersDirectory(file, Runnable::run, clock);
    rewrite("bob:" + HASH + "\n");

    users.reload();

    assertThat(find(users, "bob")).isPresent();
    assertThat(find(users, "alice")).isEmpty();
  }

  @Test
  void aFailedReloadKeepsThePreviousUsersAndLogsNoHash() throws Exception {
    UsersDirectory users = new UsersDirectory(file, Runnable::run, clock);
    try (LogCapture log = LogCapture.onRootAtDebug()) {
      rewrite("bob:" + HASH + ":10.0.0.5\n");

      users.reload();
      clock.advance(Duration.ofSeconds(1));

      assertThat(find(users, "alice")).isPresent();
      assertThat(find(users, "bob")).isEmpty();
      assertThat(log.text())
          .contains("users file " + file + ": reload failed, keeping the previous version: " + file + ":1: bad backend")
          .doesNotContain(HASH);
    }
  }

  @Test
  void refusesToStartWithABadFile() throws Exception {
    rewrite("alice\n");

    assertThatThrownBy(() -> new UsersDirectory(file, Runnable::run, clock))
        .isInstanceOf(UsersFileException.class)
        .hasMessage(file + ":1: expected user:hash[:host:port]");
  }
}
