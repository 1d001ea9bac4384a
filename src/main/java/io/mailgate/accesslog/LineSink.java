package io.mailgate.accesslog;

import java.io.IOException;

/**
 * One access-log destination. Lines are written by the writer thread only; reopening and retiring come from the
 * control thread, so every method is synchronized.
 */
abstract class LineSink {

  /** Writes one line (the end of line is added here). */
  abstract void write(String line) throws IOException;

  /** USR1: a file is opened anew, so logrotate's rename is followed by a new file. */
  void reopen() throws IOException {}

  /**
   * No live configuration names this destination any more: its descriptor is let go. Sessions of an older
   * configuration that end later still write here (opening it for each line), so no line is lost.
   */
  void retire() {}
}
