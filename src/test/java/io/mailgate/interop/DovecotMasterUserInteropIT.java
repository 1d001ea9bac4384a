package io.mailgate.interop;

import java.nio.file.Path;

/** The interop matrix against {@link DovecotMasterUserSetup}. */
class DovecotMasterUserInteropIT extends InteropMatrixTestBase {
  @Override
  MailgateSetup newSetup(Path dir) throws Exception {
    return new DovecotMasterUserSetup(dir);
  }
}
