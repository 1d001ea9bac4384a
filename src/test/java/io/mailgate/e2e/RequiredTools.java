package io.mailgate.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import io.mailgate.testkit.PostfixServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * The real software an acceptance test drives (Dovecot, Postfix, curl): when it is missing or unusable the test is
 * skipped on a developer's machine, but fails in CI, whose .ci/run installs all of it.
 */
public final class RequiredTools {

  private RequiredTools() {}

  /** The installed {@code tool}; {@code what} names it and its Debian package for the skip or failure message. */
  public static Path installed(Optional<Path> tool, String what, Class<?> test) {
    if (tool.isEmpty()) {
      unusable(what + " is not installed", test);
    }
    return tool.get();
  }

  /**
   * A private Postfix for {@code test} in {@code dir} with {@code settings} added to its main.cf and the given local
   * mailboxes; the test is skipped (failed in CI) where Postfix is missing or cannot run here.
   */
  public static PostfixServer postfix(Class<?> test, Path dir, List<String> settings, String... mailboxes) throws Exception {
    Path binary = installed(PostfixServer.binary(), "postfix (Debian package postfix)", test);
    PostfixServer.cannotRun().ifPresent(reason -> unusable(reason, test));
    return PostfixServer.start(binary, dir, settings, mailboxes);
  }

  /** Skips {@code test} (or fails it in CI) because of {@code reason}; always throws. */
  public static void unusable(String reason, Class<?> test) {
    if ("true".equals(System.getenv("CI"))) {
      fail(reason + ": .ci/run installs it; the acceptance test must not be skipped in CI");
    }
    Assumptions.abort(reason + "; skipping " + test.getSimpleName());
  }
}
