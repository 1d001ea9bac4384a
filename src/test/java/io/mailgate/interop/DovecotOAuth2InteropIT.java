package io.mailgate.interop;

import java.nio.file.Path;

/** The interop matrix against {@link DovecotOAuth2Setup}. */
class DovecotOAuth2InteropIT extends InteropMatrixTestBase {
  @Override
  MailgateSetup newSetup(Path dir) throws Exception {
    return new DovecotOAuth2Setup(dir);
  }
}
