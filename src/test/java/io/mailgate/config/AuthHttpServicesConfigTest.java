package io.mailgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code auth_http} over https, several auth services, their timeouts and {@code auth_http_ssl*}. */
class AuthHttpServicesConfigTest {

  @TempDir
  Path dir;

  private final List<String> notices = new ArrayList<>();

  private Path conf() {
    return dir.resolve("nginx.conf");
  }

  private List<ServerConfig> load(String mailBody) throws Exception {
    Files.writeString(conf(), "mail {\n" + mailBody + "\n}\n");
    return ConfigLoader.load(conf(), dir, notices::add).servers();
  }

  private AuthHttpConfig only(String mailBody) throws Exception {
    List<ServerConfig> servers = load(mailBody + "\nserver { listen 127.0.0.1:143; }");
    assertThat(servers).hasSize(1);
    return servers.get(0).authHttp().orElseThrow();
  }

  private void assertFails(String mailBody, String message) throws IOException {
    Files.writeString(conf(), "mail {\n" + mailBody + "\nserver { listen 127.0.0.1:143; }\n}\n");
    assertThatThrownBy(() -> ConfigLoader.load(conf(), dir, notices::add))
        .isInstanceOf(ConfigException.class)
        .hasMessage(message);
  }

  @Test
  void nginxsOneLineFormKeepsNginxsMeaning() throws Exception {
    AuthHttpConfig a = only("auth_http 127.0.0.1:9000/auth;\nauth_http_timeout 5s;");

    assertThat(a.services()).hasSize(1);
    AuthHttpService s = a.first();
    assertThat(s.https()).isFalse();
    assertThat(s.address()).isEqualTo(new InetSocketAddress("127.0.0.1", 9000));
    assertThat(s.lookupName()).isEmpty();
    // nginx bounds connect by auth_http_timeout too.
    assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(a.balance()).isEqualTo(AuthHttpConfig.Balance.FIRST);
    assertThat(a.downTime()).isEqualTo(Duration.ofSeconds(10));
    assertThat(a.usesTls()).isFalse();
  }

  @Test
  void httpsDefaultsToPort443AndVerifiesAgainstTheSystemStore() throws Exception {
    AuthHttpConfig a = only("auth_http https://localhost/mail/auth;");

    AuthHttpService s = a.first();
    assertThat(s.https()).isTrue();
    assertThat(((InetSocketAddress) s.address()).getPort()).isEqualTo(443);
    assertThat(s.hostHeader()).isEqualTo("localhost");
    assertThat(s.peerHost()).isEqualTo("localhost");
    assertThat(s.lookupName()).contains("localhost");
    assertThat(s.uri()).isEqualTo("/mail/auth");
    assertThat(s.url()).isEqualTo("https://localhost/mail/auth");
    assertThat(a.usesTls()).isTrue();
    assertThat(a.tls().verify()).isTrue();
    assertThat(a.tls().trustedCertificate()).isEmpty();
    assertThat(a.tls().name()).isEmpty();
    assertThat(a.tls().certificate()).isEmpty();
    assertThat(a.tls().sessionReuse()).isTrue();
    assertThat(a.tls().protocols()).containsExactly("TLSv1.2", "TLSv1.3");
  }

  @Test
  void httpsOnAnIpv6LiteralChecksTheBareAddress() throws Exception {
    AuthHttpService s = only("auth_http HTTPS://[::1]:8443/a;").first();

    assertThat(s.https()).isTrue();
    assertThat(s.address()).isEqualTo(new InetSocketAddress("::1", 8443));
    assertThat(s.hostHeader()).isEqualTo("[::1]");
    assertThat(s.peerHost()).isEqualTo("::1");
    assertThat(s.lookupName()).isEmpty();
  }

  @Test
  void severalLinesAreSeveralServicesInOrder() throws Exception {
    AuthHttpConfig a = only(String.join("\n",
        "auth_http https://127.0.0.1:8443/auth;",
        "auth_http http://127.0.0.1:8080/auth;",
        "auth_http unix:/run/auth.sock:/auth;",
        "auth_http_balance round_robin;",
        "auth_http_down_time 30s;"));

    assertThat(a.services()).extracting(AuthHttpService::url).containsExactly(
        "https://127.0.0.1:8443/auth", "http://127.0.0.1:8080/auth", "unix:/run/auth.sock:/auth");
    assertThat(a.services()).extracting(AuthHttpService::https).containsExactly(true, false, false);
    assertThat(a.balance()).isEqualTo(AuthHttpConfig.Balance.ROUND_ROBIN);
    assertThat(a.downTime()).isEqualTo(Duration.ofSeconds(30));
    assertThat(a.usesTls()).isTrue();
  }

  @Test
  void timeoutsComeFromTheLineThenTheBlockThenTheDefaults() throws Exception {
    AuthHttpConfig a = only(String.join("\n",
        "auth_http 127.0.0.1:1/a connect_timeout=500ms timeout=3s idle_timeout=1m;",
        "auth_http 127.0.0.1:2/a timeout=4s;",
        "auth_http 127.0.0.1:3/a;",
        "auth_http_timeout 7s;",
        "auth_http_connect_timeout 2s;",
        "auth_http_idle_timeout 9s;"));

    AuthHttpService one = a.services().get(0);
    AuthHttpService two = a.services().get(1);
    AuthHttpService three = a.services().get(2);
    assertThat(List.of(one.connectTimeout(), one.timeout(), one.idleTimeout()))
        .containsExactly(Duration.ofMillis(500), Duration.ofSeconds(3), Duration.ofMinutes(1));
    assertThat(List.of(two.connectTimeout(), two.timeout(), two.idleTimeout()))
        .containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(9));
    assertThat(List.of(three.connectTimeout(), three.timeout(), three.idleTimeout()))
        .containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(7), Duration.ofSeconds(9));
  }

  @Test
  void withoutAConnectTimeoutALinesOwnTimeoutBoundsConnectToo() throws Exception {
    AuthHttpService s = only("auth_http 127.0.0.1:1/a timeout=4s;").first();

    assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(4));
  }

  @Test
  void aServersOwnLinesReplaceThoseOfMail() throws Exception {
    List<ServerConfig> servers = load(String.join("\n",
        "auth_http 127.0.0.1:1/a;",
        "auth_http 127.0.0.1:2/a;",
        "auth_http_balance round_robin;",
        "server { listen 127.0.0.1:143; auth_http https://localhost:3/b; auth_http_balance first; }",
        "server { listen 127.0.0.1:144; protocol imap; }"));

    assertThat(servers.get(0).authHttp().orElseThrow().services()).extracting(AuthHttpService::url)
        .containsExactly("https://localhost:3/b");
    assertThat(servers.get(0).authHttp().orElseThrow().balance()).isEqualTo(AuthHttpConfig.Balance.FIRST);
    assertThat(servers.get(1).authHttp().orElseThrow().services()).extracting(AuthHttpService::url)
        .containsExactly("127.0.0.1:1/a", "127.0.0.1:2/a");
    assertThat(servers.get(1).authHttp().orElseThrow().balance()).isEqualTo(AuthHttpConfig.Balance.ROUND_ROBIN);
  }

  @Test
  void everyAuthHttpSslDirectiveIsBoundAndInherited() throws Exception {
    List<ServerConfig> servers = load(String.join("\n",
        "auth_http https://127.0.0.1:8443/auth;",
        "auth_http_ssl_verify off;",
        "auth_http_ssl_trusted_certificate ca.pem;",
        "auth_http_ssl_name auth.internal;",
        "auth_http_ssl_certificate client.pem;",
        "auth_http_ssl_certificate_key client.key;",
        "auth_http_ssl_password_file key.pass;",
        "auth_http_ssl_protocols TLSv1.3;",
        "auth_http_ssl_session_reuse off;",
        "server { listen 127.0.0.1:143; }",
        "server { listen 127.0.0.1:144; protocol imap; auth_http_ssl_verify on; auth_http_ssl_name other; }"));

    BackendTlsConfig inherited = servers.get(0).authHttp().orElseThrow().tls();
    assertThat(inherited.verify()).isFalse();
    assertThat(inherited.trustedCertificate()).contains(dir.resolve("ca.pem"));
    assertThat(inherited.name()).contains("auth.internal");
    assertThat(inherited.certificate())
        .contains(new TlsConfig.CertificatePair(dir.resolve("client.pem"), dir.resolve("client.key")));
    assertThat(inherited.passwordFile()).contains(dir.resolve("key.pass"));
    assertThat(inherited.protocols()).containsExactly("TLSv1.3");
    assertThat(inherited.sessionReuse()).isFalse();
    BackendTlsConfig own = servers.get(1).authHttp().orElseThrow().tls();
    assertThat(own.verify()).isTrue();
    assertThat(own.name()).contains("other");
    assertThat(own.trustedCertificate()).contains(dir.resolve("ca.pem"));
    // proxy_ssl* are separate settings: nothing of auth_http_ssl* leaks into them.
    assertThat(servers.get(0).backendTls().name()).isEqualTo(Optional.empty());
    assertThat(servers.get(0).backendTls().verify()).isTrue();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "auth_http 127.0.0.1:1/a;\\nauth_http 127.0.0.1:1/a;"
          + " | duplicate auth_http \"127.0.0.1:1/a\" in %s:3",
      "auth_http 127.0.0.1:1/a timeout=0;                 | invalid value in \"timeout=0\" of \"auth_http\" in %s:2",
      "auth_http 127.0.0.1:1/a connect_timeout=soon;      "
          + "| invalid value in \"connect_timeout=soon\" of \"auth_http\" in %s:2",
      "auth_http 127.0.0.1:1/a weight=2;                  | invalid parameter \"weight=2\" of \"auth_http\" in %s:2",
      "auth_http 127.0.0.1:1/a timeout=1s timeout=2s;     "
          + "| duplicate parameter \"timeout=2s\" of \"auth_http\" in %s:2",
      "auth_http 127.0.0.1:1/a;\\nauth_http_balance random;"
          + " | invalid value \"random\" in \"auth_http_balance\" directive, it must be \"first\" or \"round_robin\" in %s:3",
      "auth_http 127.0.0.1:1/a;\\nauth_http_connect_timeout 0;  | invalid value \"0\" in %s:3",
      "auth_http 127.0.0.1:1/a;\\nauth_http_balance first;\\nauth_http_balance first;"
          + " | \"auth_http_balance\" directive is duplicate in %s:4",
      "auth_http https://127.0.0.1/a;\\nauth_http_ssl_certificate c.pem;"
          + " | no \"auth_http_ssl_certificate_key\" is defined for certificate \"c.pem\" in %s:4",
      "auth_http https://127.0.0.1/a;\\nauth_http_ssl_verify maybe;"
          + " | invalid value \"maybe\" in \"auth_http_ssl_verify\" directive, it must be \"on\" or \"off\" in %s:3",
  })
  void mistakesAreReportedAtTheirLine(String body, String message) throws IOException {
    assertFails(body.replace("\\n", "\n"), String.format(message, conf()));
  }
}
