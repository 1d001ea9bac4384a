package io.mailgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TlsDirectivesTest {

  private static final String AUTH = "auth_http 127.0.0.1:9000/auth;\n";
  /** A certificate pair so that a server may use TLS; written on line 4 of {@link #server}. */
  private static final String CERT = "ssl_certificate c.crt; ssl_certificate_key c.key;";

  @TempDir
  Path dir;

  private final List<String> notices = new ArrayList<>();

  private Path write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return file;
  }

  private String conf() {
    return dir.resolve("nginx.conf").toString();
  }

  /** A mail block with one server; the first line of {@code body} is line 4. */
  private static String server(String body) {
    return "mail {\n" + AUTH + "server {\n" + body + "\n}\n}\n";
  }

  private ServerConfig load(String text) throws Exception {
    MailgateConfig config = ConfigLoader.load(write("nginx.conf", text), dir, notices::add);
    assertThat(config.servers()).hasSize(1);
    return config.servers().get(0);
  }

  /** The TLS settings of a server on 127.0.0.1:143 with {@code directives} on line 4. */
  private TlsConfig tls(String directives) throws Exception {
    return load(server(directives + "\nlisten 127.0.0.1:143;")).tls();
  }

  private BackendTlsConfig backend(String directives) throws Exception {
    return load(server(directives + "\nlisten 127.0.0.1:143;")).backendTls();
  }

  private void assertFails(String text, String message) throws IOException {
    Path file = write("nginx.conf", text);
    assertThatThrownBy(() -> ConfigLoader.load(file, dir, notices::add))
        .isInstanceOf(ConfigException.class)
        .hasMessage(message);
  }

  /** {@code directive} on line 4 of a server fails with {@code what} at that line. */
  private void assertDirectiveFails(String directive, String what) throws IOException {
    assertFails(server(directive + "\nlisten 127.0.0.1:143;"), what + " in " + conf() + ":4");
  }

  // ---- starttls, ssl, listen ... ssl

  @ParameterizedTest
  @CsvSource({"off, OFF", "on, ON", "only, ONLY", "ONLY, ONLY"})
  void starttlsTakesNginxsThreeValues(String value, TlsConfig.Starttls expected) throws Exception {
    assertThat(tls(CERT + " starttls " + value + ";").starttls()).isEqualTo(expected);
  }

  @Test
  void anUnknownStarttlsValueIsInvalid() throws IOException {
    assertDirectiveFails("starttls maybe;", "invalid value \"maybe\"");
  }

  @Test
  void listenWithSslMarksOnlyThatListenAsImplicitTls() throws Exception {
    ServerConfig s = load(server(CERT + "\nlisten 127.0.0.1:993 ssl;\nlisten 127.0.0.1:143;"));

    assertThat(s.listens()).extracting(ListenConfig::text, ListenConfig::ssl)
        .containsExactly(tuple("127.0.0.1:993", true), tuple("127.0.0.1:143", false));
    assertThat(s.tls().starttls()).isEqualTo(TlsConfig.Starttls.OFF);
  }

  @Test
  void listenSslCombinesWithOtherParameters() throws Exception {
    ServerConfig s = load(server(CERT + "\nlisten 127.0.0.1:993 backlog=10 ssl proxy_protocol;"));

    ListenConfig l = s.listens().get(0);
    assertThat(l.ssl()).isTrue();
    assertThat(l.backlog()).isEqualTo(10);
    assertThat(l.proxyProtocol()).isTrue();
  }

  @Test
  void sslOnMakesEveryListenOfTheServerImplicitTlsWithADeprecationNotice() throws Exception {
    ServerConfig s = load(server(CERT + " ssl on;\nlisten 127.0.0.1:993;\nlisten 127.0.0.1:994;"));

    assertThat(s.listens()).extracting(ListenConfig::ssl).containsExactly(true, true);
    assertThat(notices).containsExactly(
        "the \"ssl\" directive is deprecated, use the \"listen ... ssl\" directive instead");
  }

  @Test
  void sslOffLeavesListensAloneButIsStillDeprecated() throws Exception {
    ServerConfig s = load(server("ssl off;\nlisten 127.0.0.1:143;"));

    assertThat(s.listens()).extracting(ListenConfig::ssl).containsExactly(false);
    assertThat(notices).containsExactly(
        "the \"ssl\" directive is deprecated, use the \"listen ... ssl\" directive instead");
  }

  @Test
  void sslTakesOnlyOnOrOff() throws IOException {
    assertDirectiveFails("ssl yes;", "invalid value \"yes\" in \"ssl\" directive, it must be \"on\" or \"off\"");
  }

  @Test
  void starttlsAfterSslOnInOneBlockConflicts() throws IOException {
    assertDirectiveFails(CERT + " ssl on; starttls on;", "\"ssl\" directive conflicts with \"starttls\"");
  }

  @Test
  void sslOnAfterStarttlsInOneBlockConflicts() throws IOException {
    assertDirectiveFails(CERT + " starttls only; ssl on;", "\"starttls\" directive conflicts with \"ssl on\"");
  }

  @Test
  void sslOnWithStarttlsOffIsNoConflict() throws Exception {
    ServerConfig s = load(server(CERT + " starttls off; ssl on;\nlisten 127.0.0.1:993;"));

    assertThat(s.listens().get(0).ssl()).isTrue();
  }

  // ---- certificates and files

  @Test
  void certificatesPairWithKeysInOrderAndResolveAgainstTheMainFilesFolder() throws Exception {
    Path main = write("etc/nginx.conf", server(String.join("\n",
        "ssl_certificate rsa.crt;",
        "ssl_certificate /abs/ec.crt;",
        "ssl_certificate_key keys/rsa.key;",
        "ssl_certificate_key /abs/ec.key;",
        "listen 127.0.0.1:993 ssl;")));

    TlsConfig tls = ConfigLoader.load(main, dir, notices::add).servers().get(0).tls();

    Path etc = dir.resolve("etc");
    assertThat(tls.certificates()).containsExactly(
        new TlsConfig.CertificatePair(etc.resolve("rsa.crt"), etc.resolve("keys/rsa.key")),
        new TlsConfig.CertificatePair(Path.of("/abs/ec.crt"), Path.of("/abs/ec.key")));
    assertThat(tls.hasCertificates()).isTrue();
  }

  @Test
  void filesNamedInAnIncludedFileStillResolveAgainstTheMainFilesFolder() throws Exception {
    write("conf.d/tls.conf", "ssl_certificate c.crt; ssl_certificate_key c.key; ssl_dhparam dh.pem;");
    write("nginx.conf", server("include conf.d/tls.conf;\nlisten 127.0.0.1:993 ssl;"));

    TlsConfig tls = ConfigLoader.load(dir.resolve("nginx.conf"), dir.resolve("prefix"), notices::add)
        .servers().get(0).tls();

    assertThat(tls.certificates()).containsExactly(
        new TlsConfig.CertificatePair(dir.resolve("c.crt"), dir.resolve("c.key")));
    assertThat(tls.dhparam()).contains(dir.resolve("dh.pem"));
  }

  @Test
  void filesThatDoNotExistAreAcceptedHereAndLeftToStartUp() throws Exception {
    TlsConfig tls = tls(CERT + " ssl_client_certificate missing/ca.pem; ssl_crl missing/crl.pem;");

    assertThat(tls.clientCertificate()).contains(dir.resolve("missing/ca.pem"));
    assertThat(Files.exists(dir.resolve("missing"))).isFalse();
  }

  @Test
  void everySingleFileDirectiveIsStoredAbsolute() throws Exception {
    TlsConfig tls = tls(CERT + " ssl_password_file pw; ssl_dhparam dh.pem; ssl_client_certificate ca.pem;"
        + " ssl_trusted_certificate trusted.pem; ssl_crl crl.pem;");

    assertThat(tls.passwordFile()).contains(dir.resolve("pw"));
    assertThat(tls.dhparam()).contains(dir.resolve("dh.pem"));
    assertThat(tls.clientCertificate()).contains(dir.resolve("ca.pem"));
    assertThat(tls.trustedCertificate()).contains(dir.resolve("trusted.pem"));
    assertThat(tls.crl()).contains(dir.resolve("crl.pem"));
  }

  @Test
  void aSecondPasswordFileInOneBlockIsDuplicate() throws IOException {
    assertDirectiveFails("ssl_password_file a; ssl_password_file b;", "\"ssl_password_file\" directive is duplicate");
  }

  @Test
  void anEmptyFileNameIsInvalid() throws IOException {
    assertDirectiveFails("ssl_certificate \"\";", "invalid value \"\"");
  }

  @Test
  void tlsDirectivesAreNotAllowedInTheMainContext() throws IOException {
    assertFails("events {}\nssl_certificate c.crt;", "\"ssl_certificate\" directive is not allowed here in "
        + conf() + ":2");
  }

  // ---- protocols, ciphers, curves

  @Test
  void protocolsAreStoredInNginxsSpellingAndRepeatedLinesAdd() throws Exception {
    TlsConfig tls = tls("ssl_protocols tlsv1.2 TLSv1.3;\nssl_protocols TLSv1;");

    assertThat(tls.protocols()).containsExactly("TLSv1.2", "TLSv1.3", "TLSv1");
  }

  @Test
  void everyNginxProtocolWordIsAccepted() throws Exception {
    assertThat(tls("ssl_protocols SSLv2 SSLv3 TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;").protocols())
        .containsExactly("SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");
  }

  @Test
  void aProtocolGivenTwiceIsKeptOnceWithNginxsWarning() throws Exception {
    assertThat(tls("ssl_protocols TLSv1.2 TLSv1.2;").protocols()).containsExactly("TLSv1.2");
    assertThat(notices).containsExactly("duplicate value \"TLSv1.2\" in " + conf() + ":4");
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.4", "TLSv1_2", "all"})
  void anUnknownProtocolIsInvalid(String word) throws IOException {
    assertDirectiveFails("ssl_protocols TLSv1.2 " + word + ";", "invalid value \"" + word + "\"");
  }

  @Test
  void ciphersCurveAndServerPreferenceAreStoredAsWritten() throws Exception {
    TlsConfig tls = tls("ssl_ciphers ECDHE+AESGCM:!aNULL; ssl_ecdh_curve X25519:prime256v1;"
        + " ssl_prefer_server_ciphers on;");

    assertThat(tls.ciphers()).isEqualTo("ECDHE+AESGCM:!aNULL");
    assertThat(tls.ecdhCurve()).isEqualTo("X25519:prime256v1");
    assertThat(tls.preferServerCiphers()).isTrue();
  }

  @Test
  void preferServerCiphersIsAFlag() throws IOException {
    assertDirectiveFails("ssl_prefer_server_ciphers 1;",
        "invalid value \"1\" in \"ssl_prefer_server_ciphers\" directive, it must be \"on\" or \"off\"");
  }

  // ---- sessions

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "off                          | OFF     | -1",
      "none                         | NONE    | -1",
      "builtin                      | BUILTIN | 20480",
      "builtin:1000                 | BUILTIN | 1000",
      "shared:SSL:1m                | BUILTIN | 4096",
      "shared:SSL:32k               | BUILTIN | 128",
      "builtin:1000 shared:SSL:10m  | BUILTIN | 40960",
      "shared:SSL:10m builtin:1000  | BUILTIN | 40960",
      "builtin:50000 shared:SSL:1m  | BUILTIN | 50000",
      "none shared:SSL:1m           | NONE    | -1",
      "shared:SSL:1m off            | OFF     | -1",
  })
  void sessionCacheForms(String value, TlsConfig.SessionCache.Mode mode, int size) throws Exception {
    TlsConfig.SessionCache cache = tls("ssl_session_cache " + value + ";").sessionCache();

    assertThat(cache.mode()).isEqualTo(mode);
    assertThat(cache.size()).isEqualTo(size < 0 ? OptionalInt.empty() : OptionalInt.of(size));
  }

  @Test
  void sessionCacheLinesInOneBlockCombine() throws Exception {
    TlsConfig.SessionCache cache = tls("ssl_session_cache shared:A:1m;\nssl_session_cache builtin:10;").sessionCache();

    assertThat(cache).isEqualTo(new TlsConfig.SessionCache(TlsConfig.SessionCache.Mode.BUILTIN, OptionalInt.of(4096)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"builtin:", "builtin:x", "builtin:-1", "shared:", "shared::1m", "shared:SSL",
      "shared:SSL:", "shared:SSL:1q", "on", "Builtin"})
  void badSessionCacheValues(String value) throws IOException {
    assertDirectiveFails("ssl_session_cache " + value + ";", "invalid session cache \"" + value + "\"");
  }

  @Test
  void aSharedCacheSmallerThanEightPagesIsTooSmall() throws IOException {
    assertDirectiveFails("ssl_session_cache shared:SSL:16k;", "session cache \"shared:SSL:16k\" is too small");
  }

  @Test
  void sessionCacheTakesAtMostTwoParameters() throws IOException {
    assertDirectiveFails("ssl_session_cache builtin shared:A:1m shared:B:1m;",
        "invalid number of arguments in \"ssl_session_cache\" directive");
  }

  @ParameterizedTest
  @CsvSource({"10m, 600", "1h 30m, 5400", "300, 300", "1d, 86400", "0, 0"})
  void sessionTimeoutIsInSeconds(String value, long seconds) throws Exception {
    assertThat(tls("ssl_session_timeout \"" + value + "\";").sessionTimeout()).isEqualTo(Duration.ofSeconds(seconds));
  }

  @ParameterizedTest
  @ValueSource(strings = {"500ms", "soon", "-5"})
  void badSessionTimeouts(String value) throws IOException {
    assertDirectiveFails("ssl_session_timeout " + value + ";", "invalid value \"" + value + "\"");
  }

  @Test
  void sessionTicketsAndTheirKeys() throws Exception {
    TlsConfig tls = tls("ssl_session_tickets off;\nssl_session_ticket_key current.key;\n"
        + "ssl_session_ticket_key /etc/previous.key;");

    assertThat(tls.sessionTickets()).isFalse();
    assertThat(tls.sessionTicketKeys()).containsExactly(dir.resolve("current.key"), Path.of("/etc/previous.key"));
  }

  // ---- client certificates

  @ParameterizedTest
  @CsvSource({"off, OFF", "on, ON", "optional, OPTIONAL", "optional_no_ca, OPTIONAL_NO_CA", "Optional, OPTIONAL"})
  void verifyClientValues(String value, TlsConfig.VerifyClient expected) throws Exception {
    assertThat(tls("ssl_verify_client " + value + "; ssl_client_certificate ca.pem;").verifyClient())
        .isEqualTo(expected);
  }

  @Test
  void anUnknownVerifyClientValueIsInvalid() throws IOException {
    assertDirectiveFails("ssl_verify_client required;", "invalid value \"required\"");
  }

  @Test
  void verifyDepthIsANumber() throws Exception {
    assertThat(tls("ssl_verify_depth 3;").verifyDepth()).isEqualTo(3);
    assertThat(tls("ssl_verify_depth 0;").verifyDepth()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "two", "1k"})
  void badVerifyDepths(String value) throws IOException {
    assertDirectiveFails("ssl_verify_depth " + value + ";", "invalid value \"" + value + "\"");
  }

  // ---- conf commands and SNI certificates

  @Test
  void confCommandsAreKeptInOrderForStartUpToRefuse() throws Exception {
    TlsConfig tls = tls(
        "ssl_conf_command Options PrioritizeChaCha;\nssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256;");

    assertThat(tls.confCommands())
        .containsExactly("Options PrioritizeChaCha", "Ciphersuites TLS_AES_128_GCM_SHA256");
  }

  @Test
  void confCommandTakesANameAndAValue() throws IOException {
    assertDirectiveFails("ssl_conf_command Options;", "invalid number of arguments in \"ssl_conf_command\" directive");
  }

  @Test
  void sniCertificatesAreKeyedByTheLowerCaseName() throws Exception {
    TlsConfig tls = tls("ssl_sni_certificate Mail.Example.COM mail.crt mail.key;\n"
        + "ssl_sni_certificate *.example.org /w/wild.crt /w/wild.key;");

    assertThat(tls.sniCertificates()).isEqualTo(Map.of(
        "mail.example.com", new TlsConfig.CertificatePair(dir.resolve("mail.crt"), dir.resolve("mail.key")),
        "*.example.org", new TlsConfig.CertificatePair(Path.of("/w/wild.crt"), Path.of("/w/wild.key"))));
  }

  @Test
  void theSameSniNameTwiceIsAnErrorWhateverItsCase() throws IOException {
    assertFails(server("ssl_sni_certificate a.example a.crt a.key;\nssl_sni_certificate A.EXAMPLE b.crt b.key;\n"
            + "listen 127.0.0.1:143;"),
        "duplicate \"ssl_sni_certificate\" name \"a.example\" in " + conf() + ":5");
  }

  @ParameterizedTest
  @ValueSource(strings = {"*", "*.", "a.*.example", "mail*.example", ".example", "example.", "a..example", "**.x"})
  void badSniNames(String name) throws IOException {
    assertDirectiveFails("ssl_sni_certificate \"" + name + "\" a.crt a.key;", "invalid value \"" + name + "\"");
  }

  @Test
  void sniCertificateNeedsANameACertificateAndAKey() throws IOException {
    assertDirectiveFails("ssl_sni_certificate a.example a.crt;",
        "invalid number of arguments in \"ssl_sni_certificate\" directive");
  }

  // ---- backend side

  @ParameterizedTest
  @CsvSource({"off, OFF", "on, ON", "starttls, STARTTLS", "STARTTLS, STARTTLS"})
  void proxySslModes(String value, BackendTlsConfig.Mode expected) throws Exception {
    assertThat(backend("proxy_ssl " + value + ";").mode()).isEqualTo(expected);
  }

  @Test
  void anUnknownProxySslModeIsInvalid() throws IOException {
    assertDirectiveFails("proxy_ssl only;", "invalid value \"only\"");
  }

  @Test
  void everyBackendDirectiveIsBound() throws Exception {
    BackendTlsConfig b = backend(String.join("\n",
        "proxy_ssl on;",
        "proxy_ssl_verify off;",
        "proxy_ssl_trusted_certificate ca/backends.pem;",
        "proxy_ssl_name imap.internal;",
        "proxy_ssl_certificate client.crt;",
        "proxy_ssl_certificate_key /k/client.key;",
        "proxy_ssl_password_file pw;",
        "proxy_ssl_protocols TLSv1.3;",
        "proxy_ssl_session_reuse off;"));

    assertThat(b).isEqualTo(new BackendTlsConfig(
        BackendTlsConfig.Mode.ON, false, Optional.of(dir.resolve("ca/backends.pem")), Optional.of("imap.internal"),
        Optional.of(new TlsConfig.CertificatePair(dir.resolve("client.crt"), Path.of("/k/client.key"))),
        Optional.of(dir.resolve("pw")), List.of("TLSv1.3"), false));
  }

  @Test
  void proxySslProtocolsUseTheSameWords() throws IOException {
    assertDirectiveFails("proxy_ssl_protocols TLSv1.2 SSLv4;", "invalid value \"SSLv4\"");
  }

  @Test
  void proxySslFlagsAreFlags() throws IOException {
    assertDirectiveFails("proxy_ssl_verify maybe;",
        "invalid value \"maybe\" in \"proxy_ssl_verify\" directive, it must be \"on\" or \"off\"");
  }

  @Test
  void aBackendCertificateWithoutKeyIsAnErrorAtTheServer() throws IOException {
    assertFails(server("listen 127.0.0.1:143;\nproxy_ssl_certificate client.crt;"),
        "no \"proxy_ssl_certificate_key\" is defined for certificate \"client.crt\" in " + conf() + ":3");
  }

  @Test
  void aBackendKeyWithoutCertificateIsAnErrorAtTheServer() throws IOException {
    assertFails(server("listen 127.0.0.1:143;\nproxy_ssl_certificate_key client.key;"),
        "no \"proxy_ssl_certificate\" is defined for key \"client.key\" in " + conf() + ":3");
  }

  @Test
  void aSecondProxySslNameIsDuplicate() throws IOException {
    assertDirectiveFails("proxy_ssl_name a; proxy_ssl_name b;", "\"proxy_ssl_name\" directive is duplicate");
  }
}
