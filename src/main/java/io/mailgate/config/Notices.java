package io.mailgate.config;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/** Passes notices about skipped configuration to the caller, each one once per load however often it applies. */
final class Notices {

  private final Consumer<String> sink;
  private final Set<String> said = new HashSet<>();

  Notices(Consumer<String> sink) {
    this.sink = sink;
  }

  /** Reports that a directive is accepted but has no effect. */
  void ignored(String directive) {
    say("\"" + directive + "\" directive is ignored");
  }

  /** Reports a notice unless the same text was already reported. */
  void say(String notice) {
    if (said.add(notice)) {
      sink.accept(notice);
    }
  }
}
