package io.mailgate.authn.routing;

import io.mailgate.backend.BackendTarget;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailgate.testkit.LogCapture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReloadingFileTest {

  @TempDir
  Path dir;

  private final ManualClock clock = new ManualClock();
  private final QueueExecutor executor = new QueueExecutor();
  private final AtomicInteger loads = new AtomicInteger();
  private final ReloadingFile.Loader<BackendMap> loader = file -> {
    loads.incrementAndGet();
    return BackendMap.load(file);
  };
  private Path file;
  private int mtimeBump;

  @BeforeEach
  void writeFirstVersion() throws Exception {
    file = dir.resolve("backends.map");
    rewrite("* 192.0.2.1:143\n");
  }

  // Bumps the modification time explicitly: two writes within the file system's timestamp granularity would
  // otherwise look unchanged when their sizes match.
  private void rewrite(String text) throws IOException {
    Files.writeString(file, text);
    Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2030-01-01T00:00:00Z").plusSeconds(++mtimeBump)));
  }

  private ReloadingFile<BackendMap> open() throws IOException {
    return ReloadingFile.open(file, loader, executor, clock, "backend map");
  }

  private static Optional<BackendTarget> at(String hostPort) {
    return Optional.of(BackendTarget.of(HostPort.parse(hostPort)));
  }

  @Test
  void loadsOnOpenAndFailsOpenOnABadFile() throws Exception {
    assertThat(open().current().lookup("x")).isEqualTo(at("192.0.2.1:143"));
    assertThatThrownBy(() -> ReloadingFile.open(dir.resolve("missing"), loader, executor, clock, "backend map"))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void currentQueuesTheChangeCheckOnTheExecutorInsteadOfReadingTheFile() throws Exception {
    ReloadingFile<BackendMap> map = open();
    rewrite("* 192.0.2.2:143\n");
    clock.advance(Duration.ofSeconds(1));

    assertThat(map.current().lookup("x")).isEqualTo(at("192.0.2.1:143"));
    assertThat(loads).hasValue(1);
    assertThat(executor.runAll()).isEqualTo(1);
    assertThat(loads).hasValue(2);
    assertThat(map.current().lookup("x")).isEqualTo(at("192.0.2.2:143"));
  }

  @Test
  void looksAtTheFileAtMostOncePerSecond() throws Exception {
    ReloadingFile<BackendMap> map = open();
    rewrite("* 192.0.2.2:143\n");
    clock.advance(Duration.ofMillis(999));

    assertThat(map.currentChecked().lookup("x")).isEqualTo(at("192.0.2.1:143"));
    clock.advance(Duration.ofMillis(1));
    assertThat(map.currentChecked().lookup("x")).isEqualTo(at("192.0.2.2:143"));
    rewrite("* 192.0.2.3:143\n");
    assertThat(map.currentChecked().lookup("x")).isEqualTo(at("192.0.2.2:143"));
    assertThat(executor.runAll()).isZero();
  }

  @Test
  void doesNotReloadAnUnchangedFile() throws Exception {
    ReloadingFile<BackendMap> map = open();
    clock.advance(Duration.ofSeconds(5));

    map.currentChecked();

    assertThat(loads).hasValue(1);
  }

  @Test
  void aFailedReloadKeepsThePreviousVersionAndIsNotRetriedUntilTheFileChangesAgain() throws Exception {
    ReloadingFile<BackendMap> map = open();
    try (LogCapture log = LogCapture.onRootAtDebug()) {
      rewrite("* nowhere\n");
      clock.advance(Duration.ofSeconds(1));
      assertThat(map.currentChecked().lookup("x")).isEqualTo(at("192.0.2.1:143"));
      clock.advance(Duration.ofSeconds(1));
      map.currentChecked();

      assertThat(loads).hasValue(2);
      assertThat(log.text()).contains("reload failed, keeping the previous version", file + ":1: ");
    }
    rewrite("* 192.0.2.4:143\n");
    clock.advance(Duration.ofSeconds(1));
    assertThat(map.currentChecked().lookup("x")).isEqualTo(at("192.0.2.4:143"));
  }

  @Test
  void aDeletedFileKeepsThePreviousVersion() throws Exception {
    ReloadingFile<BackendMap> map = open();
    Files.delete(file);
    clock.advance(Duration.ofSeconds(1));

    assertThat(map.currentChecked().lookup("x")).isEqualTo(at("192.0.2.1:143"));
    assertThat(loads).hasValue(2);
  }

  @Test
  void reloadReadsTheFileOnTheExecutorEvenIfItLooksUnchanged() throws Exception {
    ReloadingFile<BackendMap> map = open();
    // Same size, same modification time: only an explicit reload (SIGHUP) notices.
    FileTime before = Files.getLastModifiedTime(file);
    Files.writeString(file, "* 192.0.2.5:143\n");
    Files.setLastModifiedTime(file, before);

    map.reload();
    assertThat(loads).hasValue(1);
    executor.runAll();

    assertThat(loads).hasValue(2);
    assertThat(map.current().lookup("x")).isEqualTo(at("192.0.2.5:143"));
  }

  @Test
  void aReloadingRouterSeesTheNewMap() throws Exception {
    ReloadingFile<BackendMap> map = open();
    BackendRouter router = BackendRouter.reloading(Optional.empty(), map);
    rewrite("@example.com 192.0.2.6:143\n");
    clock.advance(Duration.ofSeconds(1));

    router.route("a@example.com", Optional.empty());
    executor.runAll();

    assertThat(router.route("a@example.com", Optional.empty())).isEqualTo(at("192.0.2.6:143"));
  }

  /** Runs queued tasks only when told to, on the test thread. */
  private static final class QueueExecutor implements Executor {
    private final Queue<Runnable> tasks = new ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable task) {
      tasks.add(task);
    }

    synchronized int runAll() {
      int count = 0;
      for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
        task.run();
        count++;
      }
      return count;
    }
  }
}
