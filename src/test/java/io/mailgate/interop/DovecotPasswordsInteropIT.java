package io.mailgate.interop;

import java.nio.file.Path;

/** The interop matrix against {@link DovecotPasswordsSetup}. */
class DovecotPasswordsInteropIT extends InteropMatrixTestBase {
  @Override
  MailgateSetup newSetup(Path dir) throws Exception {
    return new DovecotPasswordsSetup(dir);
  }
}
