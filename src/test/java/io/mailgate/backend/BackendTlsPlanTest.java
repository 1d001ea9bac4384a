package io.mailgate.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.config.BackendTlsConfig;
import io.mailgate.config.BackendTlsConfig.Mode;
import io.mailgate.tls.BackendTls;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BackendTlsPlanTest {

  private static final InetSocketAddress BACKEND = new InetSocketAddress(InetAddress.getLoopbackAddress(), 993);
  private static BackendTls tls;

  @BeforeAll
  static void context() throws Exception {
    tls = BackendTls.create(config(Mode.OFF, Optional.empty(), false));
  }

  private static BackendTlsConfig config(Mode mode, Optional<String> name, boolean verify) {
    return new BackendTlsConfig(mode, verify, Optional.empty(), name, Optional.empty(), Optional.empty(),
        List.of("TLSv1.2", "TLSv1.3"), true);
  }

  @ParameterizedTest
  @CsvSource({"OFF,,", "OFF,ON,ON", "OFF,STARTTLS,STARTTLS", "ON,,ON", "ON,STARTTLS,ON", "STARTTLS,,STARTTLS",
      "STARTTLS,ON,ON", "STARTTLS,STARTTLS,STARTTLS", "ON,ON,ON"})
  void theModeIsTheStrongerOfProxySslAndAuthProxySsl(Mode configured, Mode header, Mode expected) {
    Optional<BackendTlsPlan> plan = BackendTlsPlan.resolve(config(configured, Optional.empty(), true), tls,
        Optional.ofNullable(header), Optional.empty(), BACKEND);
    assertThat(plan.map(BackendTlsPlan::mode)).isEqualTo(Optional.ofNullable(expected));
  }

  @Test
  void theHeadersNameWinsOverProxySslNameWhichWinsOverTheBackendAddress() {
    BackendTlsConfig named = config(Mode.ON, Optional.of("conf.example.com"), true);
    assertThat(BackendTlsPlan.resolve(named, tls, Optional.empty(), Optional.of("hdr.example.com"), BACKEND)
        .orElseThrow().peerName()).isEqualTo("hdr.example.com");
    assertThat(BackendTlsPlan.resolve(named, tls, Optional.empty(), Optional.empty(), BACKEND).orElseThrow()
        .peerName()).isEqualTo("conf.example.com");
    BackendTlsPlan byAddress = BackendTlsPlan.resolve(config(Mode.STARTTLS, Optional.empty(), true), tls,
        Optional.empty(), Optional.empty(), BACKEND).orElseThrow();
    assertThat(byAddress.peerName()).isEqualTo("127.0.0.1");
    assertThat(byAddress.port()).isEqualTo(993);
  }

  @Test
  void aTargetResolvedFromANameIsCheckedAgainstThatNameUnlessAHeaderOrProxySslNameSaysOtherwise() {
    BackendTarget resolved = new BackendTarget(List.of(new InetSocketAddress("127.0.0.2", 993),
        new InetSocketAddress("127.0.0.3", 993)), Optional.of("imap.pool.test"));
    BackendTlsPlan plan = BackendTlsPlan.resolve(config(Mode.ON, Optional.empty(), true), tls, Optional.empty(),
        Optional.empty(), resolved).orElseThrow();
    assertThat(plan.peerName()).isEqualTo("imap.pool.test");
    assertThat(plan.port()).isEqualTo(993);
    assertThat(BackendTlsPlan.resolve(config(Mode.ON, Optional.of("conf.example.com"), true), tls, Optional.empty(),
        Optional.empty(), resolved).orElseThrow().peerName()).isEqualTo("conf.example.com");
    assertThat(BackendTlsPlan.resolve(config(Mode.ON, Optional.empty(), true), tls, Optional.empty(),
        Optional.of("hdr.example.com"), resolved).orElseThrow().peerName()).isEqualTo("hdr.example.com");
    BackendTarget literals = new BackendTarget(List.of(new InetSocketAddress("127.0.0.2", 993),
        new InetSocketAddress("127.0.0.3", 993)));
    assertThat(BackendTlsPlan.resolve(config(Mode.ON, Optional.empty(), true), tls, Optional.empty(),
        Optional.empty(), literals).orElseThrow().peerName()).isEqualTo("127.0.0.2");
  }

  @Test
  void aNameWithoutAnyTlsDemandLeavesTheLoginInCleartext() {
    assertThat(BackendTlsPlan.resolve(config(Mode.OFF, Optional.of("conf.example.com"), true), tls, Optional.empty(),
        Optional.of("hdr.example.com"), BACKEND)).isEmpty();
  }

  @Test
  void anIpv6BackendIsNamedByItsLiteralWithoutScope() throws Exception {
    InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("fe80::1%1"), 143);
    BackendTlsPlan plan = BackendTlsPlan.resolve(config(Mode.ON, Optional.empty(), true), tls, Optional.empty(),
        Optional.empty(), v6).orElseThrow();
    assertThat(plan.peerName()).isEqualTo("fe80:0:0:0:0:0:0:1");
  }

  @Test
  void theDescriptionNamesModeNameAndVerification() {
    BackendTlsPlan plan = BackendTlsPlan.resolve(config(Mode.OFF, Optional.empty(), false), tls,
        Optional.of(Mode.STARTTLS), Optional.of("imap.example.com"), BACKEND).orElseThrow();
    assertThat(plan.describe()).isEqualTo("STARTTLS, name \"imap.example.com\", verify off");
    assertThat(plan.implicit()).isFalse();
  }
}
