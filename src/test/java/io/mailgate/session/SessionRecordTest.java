package io.mailgate.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.sasl.Mechanism;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionRecordTest {

  /** Writes what it is told, to check order and exactly-once. */
  private static final class Recorder implements SessionEvents {
    final List<String> seen = new ArrayList<>();

    @Override
    public void phaseChanged(SessionRecord session, SessionPhase from, SessionPhase to) {
      seen.add(from.label() + ">" + to.label());
    }

    @Override
    public void loginFinished(SessionRecord session, LoginOutcome outcome) {
      seen.add("login:" + outcome.label());
    }

    @Override
    public void relayed(SessionRecord session, boolean fromClient, int bytes) {
      seen.add((fromClient ? "c" : "b") + bytes);
    }

    @Override
    public void closed(SessionRecord session) {
      seen.add("closed");
    }
  }

  private static SessionRecord record(SessionEvents events) {
    return new SessionRecord("00000000000000aa", "imap", "127.0.0.1:143", new InetSocketAddress("10.0.0.1", 5000),
        events);
  }

  @Test
  void phasesAreReportedOnChangeOnlyAndNotAfterClose() {
    Recorder r = new Recorder();
    SessionRecord s = record(r);
    s.enter(SessionPhase.PRE_AUTH);
    s.enter(SessionPhase.AUTHENTICATING);
    s.enter(SessionPhase.AUTHENTICATING);
    s.loginFinished(LoginOutcome.BAD_CREDENTIALS);
    s.enter(SessionPhase.PRE_AUTH);
    s.enter(SessionPhase.AUTHENTICATING);
    s.loginFinished(LoginOutcome.OK);
    s.enter(SessionPhase.RELAYING);
    s.relayedFromClient(10);
    s.relayedFromBackend(200);
    s.relayedFromBackend(5);
    s.closed();
    s.closed();
    s.enter(SessionPhase.PRE_AUTH);
    assertThat(r.seen).containsExactly("pre_auth>authenticating", "login:bad_credentials", "authenticating>pre_auth",
        "pre_auth>authenticating", "login:ok", "authenticating>relaying", "c10", "b200", "b5", "closed");
    assertThat(s.bytesFromClient()).isEqualTo(10);
    assertThat(s.bytesFromBackend()).isEqualTo(205);
    assertThat(s.outcome()).contains(LoginOutcome.OK);
    assertThat(s.isClosed()).isTrue();
  }

  @Test
  void theFirstCloseReasonWins() {
    SessionRecord s = record(SessionEvents.NONE);
    assertThat(s.closeReason()).isEmpty();
    s.closeReason("login failed");
    s.closeReason("client closed connection");
    assertThat(s.closeReason()).contains("login failed");
  }

  @Test
  void keepsTheLastLoginsFacts() {
    SessionRecord s = record(SessionEvents.NONE);
    s.user("alice");
    s.mechanism(Mechanism.PLAIN);
    s.user("bob");
    s.mechanism(Mechanism.OAUTHBEARER);
    s.backend("10.0.0.9:143");
    s.tls("TLSv1.3", "TLS_AES_128_GCM_SHA256");
    assertThat(s.user()).contains("bob");
    assertThat(s.mechanism()).contains(Mechanism.OAUTHBEARER);
    assertThat(s.backend()).contains("10.0.0.9:143");
    assertThat(s.tlsProtocol()).contains("TLSv1.3");
    assertThat(s.tlsCipher()).contains("TLS_AES_128_GCM_SHA256");
    assertThat(s.elapsedNanos()).isPositive();
  }

  @Test
  void aCompositeTellsEveryWatcherInOrder() {
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    SessionEvents both = SessionEvents.of(List.of(a, SessionEvents.NONE, b));
    SessionRecord s = record(both);
    s.relayedFromClient(3);
    s.closed();
    assertThat(a.seen).containsExactly("c3", "closed");
    assertThat(b.seen).containsExactly("c3", "closed");
    assertThat(SessionEvents.of(List.of(SessionEvents.NONE))).isSameAs(SessionEvents.NONE);
    assertThat(SessionEvents.of(List.of(a))).isSameAs(a);
  }

  @Test
  void sessionIdsAreSixteenHexDigitsAndDistinct() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = SessionIds.next();
      assertThat(id).matches("[0-9a-f]{16}");
      ids.add(id);
    }
    assertThat(ids).hasSize(10_000);
  }
}
