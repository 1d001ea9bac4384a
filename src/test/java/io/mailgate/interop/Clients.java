package io.mailgate.interop;

import java.nio.file.Path;
import java.util.List;

/** Every client of the matrix, in the table's order. */
final class Clients {

  private Clients() {}

  /** The clients, keeping their files in {@code workDir}. */
  static List<MailClient> all(Path workDir) {
    return List.of(new CurlDriver(workDir), new PythonDriver(workDir), new SwaksDriver(workDir),
        new OpensslDriver(workDir), new AngusDriver(), new FetchmailDriver(workDir));
  }
}
