package io.mailgate.smtp;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mailgate.log.SessionLog;
import io.mailgate.testkit.BackendLoginProperties;
import io.mailgate.tls.TlsSetupException;
import java.util.Optional;
import java.util.Set;

/** {@link SmtpBackendLogin} reading whatever an SMTP backend sends: greeting, EHLO/HELO, XCLIENT and AUTH replies. */
class SmtpBackendLoginFuzzTest {

  @FuzzTest(maxDuration = "5s")
  void anyBackendBytesEndOrWaitTheLogin(FuzzedDataProvider data) {
    SmtpLoginPlan plan = plan(data);
    BackendLoginProperties.endsOrWaits(() -> new SmtpBackendLogin(plan), data);
  }

  @FuzzTest(maxDuration = "5s")
  void noCredentialBeforeStartTls(FuzzedDataProvider data) throws TlsSetupException {
    SmtpLoginPlan plan = plan(data);
    BackendLoginProperties.noCredentialBeforeTls(() -> new SmtpBackendLogin(plan), data);
  }

  /** XCLIENT or not, AUTH PLAIN or LOGIN=, a client that said HELO or EHLO: each takes its own path through replies. */
  private static SmtpLoginPlan plan(FuzzedDataProvider data) {
    boolean xclient = data.consumeBoolean();
    boolean proxySmtpAuth = data.consumeBoolean();
    boolean clientEsmtp = data.consumeBoolean();
    return new SmtpLoginPlan("mx.test", xclient, proxySmtpAuth, SmtpXclientTest.client(Optional.empty()),
        Optional.empty(), clientEsmtp, Optional.empty(), Set.of("PIPELINING"),
        new SessionLog("io.mailgate.session", 1, "127.0.0.1", "127.0.0.1:25", "00000000000000ab"));
  }
}
