package io.mailgate.authn.users;

import io.mailgate.authn.routing.FileFormatException;
import java.nio.file.Path;

/** A users-file line that cannot be used, as {@code file:line: problem}; the message never contains a hash. */
public final class UsersFileException extends FileFormatException {

  /** Creates the exception; {@code problem} must not quote the line. */
  public UsersFileException(Path file, int line, String problem) {
    super(file, line, problem);
  }
}
