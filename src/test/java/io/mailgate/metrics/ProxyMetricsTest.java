package io.mailgate.metrics;

import io.mailgate.backend.BackendTarget;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.auth.AuthResult;
import io.mailgate.backend.BackendFailure;
import io.mailgate.sasl.Mechanism;
import io.mailgate.session.LoginOutcome;
import io.mailgate.session.SessionEvents;
import io.mailgate.session.SessionPhase;
import io.mailgate.session.SessionRecord;
import io.mailgate.session.SessionRecordDriver;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProxyMetricsTest {

  private static final List<String> IMAP_LISTENS = List.of("127.0.0.1:143", "0.0.0.0:993");
  private static final List<String> POP3_LISTENS = List.of("127.0.0.1:110");

  private PrometheusMeterRegistry registry;
  private ProxyMetrics metrics;
  private ServerMeters imap;
  private ServerMeters pop3;
  private final List<String> secrets = new ArrayList<>();

  @BeforeEach
  void setUp() {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    metrics = new ProxyMetrics(registry, registry, "1.2.3", false);
    imap = metrics.forServer("imap", IMAP_LISTENS);
    pop3 = metrics.forServer("pop3", POP3_LISTENS);
  }

  /** One session of the {@code i}th kind (ten kinds: every outcome, TLS or not, both protocols), distinct values. */
  private void session(int i, int round) {
    int kind = i % 10;
    ServerMeters server = kind < 6 ? imap : pop3;
    List<String> listens = kind < 6 ? IMAP_LISTENS : POP3_LISTENS;
    String user = "user" + round + "x" + i + "@example.org";
    String ip = "10." + round + "." + (i / 250) + "." + (i % 250);
    String backend = "192.0." + round + "." + (i % 250) + ":" + (1000 + i);
    secrets.add(user);
    secrets.add(ip);
    secrets.add(backend);
    SessionRecord r = new SessionRecord("id" + i, kind < 6 ? "imap" : "pop3", listens.get(i % listens.size()),
        new InetSocketAddress(ip, 40000 + i % 1000), server);
    SessionEvents events = r.events();
    events.opened(r);
    if (kind % 2 == 0) {
      SessionRecordDriver.tls(r, kind == 0 ? "TLSv1.2" : "TLSv1.3", "TLS_AES_128_GCM_SHA256");
      events.tlsHandshake(r, Optional.empty());
    } else if (kind == 9) {
      events.tlsHandshake(r, Optional.of(new SSLHandshakeException("no shared cipher for " + ip)));
    }
    SessionRecordDriver.login(r, user, kind % 3 == 0 ? Mechanism.PLAIN : Mechanism.LOGIN);
    SessionRecordDriver.enter(r, SessionPhase.AUTHENTICATING);
    LoginOutcome outcome = LoginOutcome.values()[kind % LoginOutcome.values().length];
    switch (outcome) {
      case OK -> {
        events.authAnswered(r, accepted(backend), 1_000_000);
        SessionRecordDriver.backend(r, backend);
        events.backendLogin(r, Optional.empty(), 2_000_000);
        SessionRecordDriver.enter(r, SessionPhase.RELAYING);
        SessionRecordDriver.loginFinished(r, outcome);
        r.relayedFromClient(10);
        r.relayedFromBackend(100);
      }
      case BAD_CREDENTIALS -> {
        events.authAnswered(r, new AuthResult.Rejected("no such user " + user, Optional.empty(), Optional.empty(),
            Optional.empty()), 1_000_000);
        SessionRecordDriver.loginFinished(r, outcome);
      }
      case AUTH_SERVICE_ERROR -> {
        events.authAnswered(r, new AuthResult.Unavailable(AuthResult.Unavailable.Kind.TIMEOUT,
            "auth http server " + backend + " timed out"), 60_000_000);
        SessionRecordDriver.loginFinished(r, outcome);
      }
      case BACKEND_FAILURE -> {
        events.authAnswered(r, accepted(backend), 1_000_000);
        SessionRecordDriver.backend(r, backend);
        events.backendLogin(r, Optional.of(BackendFailure.CONNECT), 3_000_000);
        SessionRecordDriver.loginFinished(r, outcome);
      }
      case THROTTLED -> {
        events.throttleDecision(r, "refused");
        SessionRecordDriver.loginFinished(r, outcome);
      }
      default -> throw new IllegalStateException();
    }
    if (kind == 7) {
      events.connectionRefused(r, "preauth_per_client");
    }
    r.closed();
  }

  private static AuthResult.Accepted accepted(String backend) {
    int colon = backend.lastIndexOf(':');
    return new AuthResult.Accepted(BackendTarget.of(new InetSocketAddress(backend.substring(0, colon),
        Integer.parseInt(backend.substring(colon + 1)))), Optional.empty(), Optional.empty(), Optional.empty());
  }

  @Test
  void theSeriesCountStaysFixedAndNoLabelCarriesAUserAnAddressOrABackend() {
    for (int i = 0; i < 100; i++) {
      session(i, 1);
    }
    int afterFirstRound = registry.getMeters().size();
    String firstScrape = metrics.scrape();
    for (int i = 0; i < 2000; i++) {
      session(i, 2);
    }

    assertThat(registry.getMeters()).hasSize(afterFirstRound);
    assertThat(metrics.scrape().lines().filter(l -> !l.startsWith("#")).count())
        .isEqualTo(firstScrape.lines().filter(l -> !l.startsWith("#")).count());
    List<String> labelValues = new ArrayList<>();
    for (Meter m : registry.getMeters()) {
      for (Tag t : m.getId().getTags()) {
        labelValues.add(t.getValue());
      }
    }
    String scrape = metrics.scrape();
    for (String secret : secrets) {
      assertThat(labelValues).noneMatch(v -> v.contains(secret));
      assertThat(scrape).doesNotContain(secret);
    }
    // 2100 distinct users, addresses and backends, yet the label values come from the configuration and fixed sets.
    assertThat(secrets).hasSize(3 * 2100);
    assertThat(labelValues.stream().distinct()).allMatch(v -> v.matches("[a-z0-9_.:-]+|TLSv1\\.[23]")
        || IMAP_LISTENS.contains(v) || POP3_LISTENS.contains(v) || v.equals("1.2.3"));
  }

  @Test
  void countsAreExactAndTheGaugesReturnToZero() {
    for (int i = 0; i < 100; i++) {
      session(i, 1);
    }

    // Kinds 0..5 are IMAP, outcome = kind % 5: kinds 0 and 5 are ok, 10 of each; kind 0 is PLAIN, 5 is LOGIN.
    assertThat(count("mailgate.logins", "protocol", "imap", "mechanism", "plain", "result", "ok")).isEqualTo(10);
    assertThat(count("mailgate.logins", "protocol", "imap", "mechanism", "login", "result", "ok")).isEqualTo(10);
    assertThat(count("mailgate.logins", "protocol", "pop3", "mechanism", "plain", "result", "bad_credentials"))
        .isEqualTo(10);
    assertThat(count("mailgate.connections.accepted", "protocol", "imap", "listener", "127.0.0.1:143"))
        .isEqualTo(30);
    assertThat(count("mailgate.connections.accepted", "protocol", "imap", "listener", "0.0.0.0:993"))
        .isEqualTo(30);
    assertThat(count("mailgate.connections.accepted", "protocol", "pop3", "listener", "127.0.0.1:110"))
        .isEqualTo(40);
    assertThat(count("mailgate.relayed", "protocol", "imap", "direction", "client_to_backend")).isEqualTo(200);
    assertThat(count("mailgate.relayed", "protocol", "imap", "direction", "backend_to_client")).isEqualTo(2000);
    assertThat(count("mailgate.auth.errors", "kind", "timeout")).isEqualTo(20);
    assertThat(count("mailgate.backend.failures", "protocol", "imap", "kind", "connect")).isEqualTo(10);
    assertThat(count("mailgate.backend.failures", "protocol", "pop3", "kind", "connect")).isEqualTo(10);
    assertThat(count("mailgate.tls.handshakes", "protocol", "imap", "version", "tlsv1.2")).isEqualTo(10);
    assertThat(count("mailgate.tls.handshakes", "protocol", "imap", "version", "tlsv1.3")).isEqualTo(20);
    assertThat(count("mailgate.tls.handshake.failures", "protocol", "pop3")).isEqualTo(10);
    assertThat(count("mailgate.throttle.decisions", "decision", "refused")).isEqualTo(20);
    assertThat(count("mailgate.connections.refused", "limit", "preauth_per_client")).isEqualTo(10);
    assertThat(registry.get("mailgate.auth.duration").tag("protocol", "imap").timer().count()).isEqualTo(50);
    assertThat(registry.get("mailgate.backend.login.duration").tag("protocol", "pop3").timer().count())
        .isEqualTo(10);
    for (Meter gauge : registry.find("mailgate.sessions.active").gauges()) {
      assertThat(registry.get("mailgate.sessions.active").tags(gauge.getId().getTags()).gauge().value())
          .isZero();
    }
    assertThat(registry.find("mailgate.sessions.active").gauges()).hasSize(3 * 3);
  }

  @Test
  void theGaugesFollowTheSessionsPhases() {
    SessionRecord r = new SessionRecord("a", "imap", "127.0.0.1:143", new InetSocketAddress("10.0.0.1", 1), imap);
    r.events().opened(r);
    assertThat(active("pre_auth")).isEqualTo(1);
    SessionRecordDriver.enter(r, SessionPhase.AUTHENTICATING);
    assertThat(active("pre_auth")).isZero();
    assertThat(active("authenticating")).isEqualTo(1);
    SessionRecordDriver.enter(r, SessionPhase.RELAYING);
    assertThat(active("relaying")).isEqualTo(1);
    r.closed();
    r.closed();
    assertThat(active("relaying")).isZero();
    assertThat(active("authenticating")).isZero();
  }

  @Test
  void labelsFromElsewhereAreCapped() {
    SessionRecord r = new SessionRecord("a", "imap", "127.0.0.1:143", new InetSocketAddress("10.0.0.1", 1), imap);
    for (int i = 0; i < 500; i++) {
      imap.throttleDecision(r, "decision-" + i);
      imap.connectionRefused(r, "Limit " + i);
    }

    assertThat(registry.find("mailgate.throttle.decisions").counters()).hasSize(17);
    assertThat(registry.find("mailgate.connections.refused").counters()).hasSize(17);
    assertThat(count("mailgate.throttle.decisions", "decision", "other")).isEqualTo(500 - 16);
    assertThat(count("mailgate.connections.refused", "limit", "limit_3")).isEqualTo(1);
  }

  @Test
  void aReloadReusesTheMetersSoCountsGoOn() {
    session(0, 1);
    ServerMeters again = metrics.forServer("imap", IMAP_LISTENS);
    SessionRecord r = new SessionRecord("b", "imap", "127.0.0.1:143", new InetSocketAddress("10.0.0.2", 1), again);
    r.events().opened(r);

    assertThat(count("mailgate.connections.accepted", "protocol", "imap", "listener", "127.0.0.1:143")).isEqualTo(2);
    assertThat(active("pre_auth")).isEqualTo(1);
    r.closed();
    assertThat(active("pre_auth")).isZero();
  }

  @Test
  void thePrometheusNamesFollowItsConventions() {
    session(0, 1);
    metrics.reloaded(true);

    assertThat(metrics.scrape())
        .contains("mailgate_logins_total{mechanism=\"plain\",protocol=\"imap\",result=\"ok\"} 1.0")
        .contains("mailgate_relayed_bytes_total{direction=\"client_to_backend\",protocol=\"imap\"} 10.0")
        .contains("mailgate_sessions_active{listener=\"127.0.0.1:143\",phase=\"relaying\",protocol=\"imap\"} 0.0")
        .contains("mailgate_connections_accepted_total{listener=\"127.0.0.1:143\",protocol=\"imap\"} 1.0")
        .contains("mailgate_auth_duration_seconds_bucket{protocol=\"imap\",le=\"0.001\"} 1")
        .contains("mailgate_backend_login_duration_seconds_count{protocol=\"imap\"} 1")
        .contains("mailgate_auth_errors_total{kind=\"connect\"} 0.0")
        .contains("mailgate_tls_handshakes_total{protocol=\"imap\",version=\"tlsv1.2\"} 1.0")
        .contains("mailgate_reloads_total{result=\"ok\"} 1.0")
        .contains("mailgate_build_info{version=\"1.2.3\"} 1\n");
  }

  private double count(String name, String... tags) {
    return registry.get(name).tags(tags).counter().count();
  }

  private double active(String phase) {
    return registry.get("mailgate.sessions.active").tags("protocol", "imap", "listener", "127.0.0.1:143", "phase",
        phase).gauge().value();
  }
}
