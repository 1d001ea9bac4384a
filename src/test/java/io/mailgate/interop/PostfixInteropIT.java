package io.mailgate.interop;

import java.nio.file.Path;

/** The interop matrix against {@link PostfixSetup}. */
class PostfixInteropIT extends InteropMatrixTestBase {
  @Override
  MailgateSetup newSetup(Path dir) throws Exception {
    return new PostfixSetup(dir);
  }
}
