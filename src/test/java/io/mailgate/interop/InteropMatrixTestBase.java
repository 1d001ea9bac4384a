package io.mailgate.interop;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * One setup's part of the interop matrix: the setup starts once for the class, every client runs its cases against
 * it ({@link InteropMatrix}), then everything stops and Netty's leak detector has its say.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class InteropMatrixTestBase {

  @TempDir Path dir;
  private MailgateSetup setup;

  /** The setup of this class, not started yet. */
  abstract MailgateSetup newSetup(Path dir) throws Exception;

  @BeforeAll
  void start() throws Exception {
    setup = MailgateSetup.start(newSetup(dir), getClass());
  }

  @AfterAll
  void stop() throws Exception {
    if (setup != null) {
      setup.close();
    }
  }

  @TestFactory
  Stream<DynamicNode> matrix() throws Exception {
    return InteropMatrix.cases(setup, Clients.all(dir));
  }
}
