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

  private Path dir;
  private MailgateSetup setup;

  /** The setup of this class, not started yet. */
  abstract MailgateSetup newSetup(Path dir) throws Exception;

  /** The directory comes as a parameter: a {@code @TempDir} field is not set yet when a per-class @BeforeAll runs. */
  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    this.dir = dir;
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
