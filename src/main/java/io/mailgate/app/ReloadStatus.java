package io.mailgate.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outcome of the last reload, in a small file beside the pid file ({@code mailgate.pid.reload}), so that
 * {@code mailgate -s reload} (a separate process that only sends HUP) can wait for the running mailgate's answer and
 * exit non-zero with its reason. One line: {@code <attempt> <pid> ok|failed <reason>}.
 */
final class ReloadStatus {

  private static final Logger LOG = LoggerFactory.getLogger(ReloadStatus.class);

  /** A reload's outcome: {@code ok}, and the reason when it failed. */
  record Outcome(boolean ok, String message) {}

  /** A status line as read back: which attempt of which process, and its outcome. */
  record Line(long attempt, long pid, Outcome outcome) {}

  private final Path file;

  ReloadStatus(Path file) {
    this.file = file;
  }

  /** The status file of the mailgate whose pid file is {@code pidFile}. */
  static Path beside(Path pidFile) {
    return pidFile.resolveSibling(pidFile.getFileName() + ".reload");
  }

  /** Records attempt {@code attempt}'s outcome (atomically: a reader never sees half a line). */
  void write(int attempt, Outcome outcome) {
    String reason = outcome.message().replace('\n', ' ').replace('\r', ' ');
    String line = attempt + " " + ProcessHandle.current().pid() + " " + (outcome.ok() ? "ok " : "failed ") + reason
        + "\n";
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.writeString(tmp, line, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      LOG.warn("cannot write the reload status file {}: {}", file, e.getMessage());
    }
  }

  void delete() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.warn("cannot remove {}: {}", file, e.getMessage());
    }
  }

  /** The last status written to {@code file}, if any can be read. */
  static Optional<Line> read(Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8).trim();
      String[] parts = text.split(" ", 4);
      if (parts.length < 3) {
        return Optional.empty();
      }
      boolean ok = parts[2].equals("ok");
      return Optional.of(new Line(Long.parseLong(parts[0]), Long.parseLong(parts[1]),
          new Outcome(ok, parts.length > 3 ? parts[3] : "")));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }
}
