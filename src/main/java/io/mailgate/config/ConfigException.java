package io.mailgate.config;

/**
 * A configuration error. The message reads as nginx's: {@code <what> in <file>:<line>}, so that {@code -t} and
 * start-up print {@code mailgate: [emerg] <message>} and exit with status 1.
 */
public class ConfigException extends Exception {

  /** An error at a place in a file. */
  public ConfigException(String what, String file, int line) {
    super(what + " in " + file + ":" + line);
  }

  /** An error with no single place (e.g. a file that cannot be opened; the message names the file). */
  public ConfigException(String message) {
    super(message);
  }
}
