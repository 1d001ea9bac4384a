package io.mailgate.imap;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mailgate.testkit.BackendLoginProperties;
import io.mailgate.tls.TlsSetupException;

/** {@link ImapBackendLogin} reading whatever an IMAP backend sends: greeting, CAPABILITY, continuations, replies. */
class ImapBackendLoginFuzzTest {

  @FuzzTest(maxDuration = "5s")
  void anyBackendBytesEndOrWaitTheLogin(FuzzedDataProvider data) {
    BackendLoginProperties.endsOrWaits(() -> new ImapBackendLogin("a1"), data);
  }

  @FuzzTest(maxDuration = "5s")
  void noCredentialBeforeStartTls(FuzzedDataProvider data) throws TlsSetupException {
    BackendLoginProperties.noCredentialBeforeTls(() -> new ImapBackendLogin("a1"), data);
  }
}
