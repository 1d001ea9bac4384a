package io.mailgate.interop;

import java.nio.file.Path;

/** The interop matrix against {@link DovecotTlsOnlySetup}. */
class DovecotTlsOnlyInteropIT extends InteropMatrixTestBase {
  @Override
  MailgateSetup newSetup(Path dir) throws Exception {
    return new DovecotTlsOnlySetup(dir);
  }
}
