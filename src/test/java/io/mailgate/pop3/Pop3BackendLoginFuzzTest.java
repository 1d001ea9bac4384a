package io.mailgate.pop3;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mailgate.testkit.BackendLoginProperties;
import io.mailgate.tls.TlsSetupException;

/** {@link Pop3BackendLogin} reading whatever a POP3 backend sends: greeting, CAPA, STLS and USER/PASS replies. */
class Pop3BackendLoginFuzzTest {

  @FuzzTest(maxDuration = "5s")
  void anyBackendBytesEndOrWaitTheLogin(FuzzedDataProvider data) {
    BackendLoginProperties.endsOrWaits(Pop3BackendLogin::new, data);
  }

  @FuzzTest(maxDuration = "5s")
  void noCredentialBeforeStartTls(FuzzedDataProvider data) throws TlsSetupException {
    BackendLoginProperties.noCredentialBeforeTls(Pop3BackendLogin::new, data);
  }
}
