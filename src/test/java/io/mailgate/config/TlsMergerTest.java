package io.mailgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailgate.sasl.Mechanism;
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

class TlsMergerTest {

  private static final String AUTH = "auth_http 127.0.0.1:9000/auth;\n";

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

  private List<ServerConfig> load(String text) throws Exception {
    return ConfigLoader.load(write("nginx.conf", text), dir, notices::add).servers();
  }

  private void assertFails(String text, String message) throws IOException {
    Path file = write("nginx.conf", text);
    assertThatThrownBy(() -> ConfigLoader.load(file, dir, notices::add))
        .isInstanceOf(ConfigException.class)
        .hasMessage(message);
  }

  private TlsConfig.CertificatePair pair(String certificate, String key) {
    return new TlsConfig.CertificatePair(dir.resolve(certificate), dir.resolve(key));
  }

  private static TlsConfig.SessionCache cache(TlsConfig.SessionCache.Mode mode, int size) {
    return new TlsConfig.SessionCache(mode, size < 0 ? OptionalInt.empty() : OptionalInt.of(size));
  }

  // ---- defaults and inheritance

  @Test
  void aServerWithNoTlsDirectivesGetsExactlyTheDefaults() throws Exception {
    ServerConfig s = load("mail {\n" + AUTH + "server { listen 127.0.0.1:143; }\n}").get(0);

    assertThat(s.tls()).isEqualTo(TlsDefaults.CLIENT);
    assertThat(s.backendTls()).isEqualTo(TlsDefaults.BACKEND);
    assertThat(s.tls().hasCertificates()).isFalse();
    assertThat(s.listens().get(0).ssl()).isFalse();
  }

  @Test
  void theDefaultsAreNginxsWithOnlyTls12And13() {
    TlsConfig d = TlsDefaults.CLIENT;

    assertThat(d.starttls()).isEqualTo(TlsConfig.Starttls.OFF);
    assertThat(d.protocols()).containsExactly("TLSv1.2", "TLSv1.3");
    assertThat(d.ciphers()).isEqualTo("HIGH:!aNULL:!MD5");
    assertThat(d.ecdhCurve()).isEqualTo("auto");
    assertThat(d.sessionCache()).isEqualTo(cache(TlsConfig.SessionCache.Mode.NONE, -1));
    assertThat(d.sessionTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(d.sessionTickets()).isTrue();
    assertThat(d.verifyClient()).isEqualTo(TlsConfig.VerifyClient.OFF);
    assertThat(d.verifyDepth()).isEqualTo(1);
    assertThat(TlsDefaults.BACKEND.mode()).isEqualTo(BackendTlsConfig.Mode.OFF);
    assertThat(TlsDefaults.BACKEND.verify()).isTrue();
    assertThat(TlsDefaults.BACKEND.sessionReuse()).isTrue();
  }

  @Test
  void serversInheritEachTlsDirectiveFromMailUnlessTheySetTheirOwn() throws Exception {
    List<ServerConfig> servers = load(String.join("\n",
        "mail {",
        AUTH,
        "  starttls on;",
        "  ssl_certificate a.crt; ssl_certificate_key a.key;",
        "  ssl_protocols TLSv1.3;",
        "  ssl_ciphers HIGH;",
        "  ssl_prefer_server_ciphers on;",
        "  ssl_session_cache builtin:500;",
        "  ssl_session_timeout 1h;",
        "  ssl_session_tickets off;",
        "  ssl_verify_client optional_no_ca;",
        "  ssl_verify_depth 4;",
        "  ssl_sni_certificate a.example sa.crt sa.key;",
        "  proxy_ssl starttls;",
        "  proxy_ssl_name backend.internal;",
        "  server {",
        "    listen 127.0.0.1:143;",
        "    starttls only;",
        "    ssl_protocols TLSv1.2;",
        "    ssl_session_tickets on;",
        "    ssl_verify_depth 2;",
        "    ssl_sni_certificate b.example sb.crt sb.key;",
        "    proxy_ssl on;",
        "  }",
        "  server { listen 127.0.0.1:110; }",
        "  ssl_ecdh_curve X25519;",
        "}"));

    TlsConfig own = servers.get(0).tls();
    TlsConfig inherits = servers.get(1).tls();
    assertThat(own.starttls()).isEqualTo(TlsConfig.Starttls.ONLY);
    assertThat(inherits.starttls()).isEqualTo(TlsConfig.Starttls.ON);
    assertThat(own.protocols()).containsExactly("TLSv1.2");
    assertThat(inherits.protocols()).containsExactly("TLSv1.3");
    assertThat(own.sessionTickets()).isTrue();
    assertThat(inherits.sessionTickets()).isFalse();
    assertThat(own.verifyDepth()).isEqualTo(2);
    assertThat(inherits.verifyDepth()).isEqualTo(4);
    assertThat(own.sniCertificates()).isEqualTo(Map.of("b.example", pair("sb.crt", "sb.key")));
    assertThat(inherits.sniCertificates()).isEqualTo(Map.of("a.example", pair("sa.crt", "sa.key")));
    for (TlsConfig t : List.of(own, inherits)) {
      assertThat(t.certificates()).containsExactly(pair("a.crt", "a.key"));
      assertThat(t.ciphers()).isEqualTo("HIGH");
      assertThat(t.preferServerCiphers()).isTrue();
      assertThat(t.sessionCache()).isEqualTo(cache(TlsConfig.SessionCache.Mode.BUILTIN, 500));
      assertThat(t.sessionTimeout()).isEqualTo(Duration.ofHours(1));
      assertThat(t.verifyClient()).isEqualTo(TlsConfig.VerifyClient.OPTIONAL_NO_CA);
      assertThat(t.ecdhCurve()).as("a mail directive after the servers still applies").isEqualTo("X25519");
    }
    assertThat(servers.get(0).backendTls().mode()).isEqualTo(BackendTlsConfig.Mode.ON);
    assertThat(servers.get(1).backendTls().mode()).isEqualTo(BackendTlsConfig.Mode.STARTTLS);
    assertThat(servers.get(0).backendTls().name()).contains("backend.internal");
  }

  @Test
  void aServerWithItsOwnCertificatesReplacesMailsWholeList() throws Exception {
    List<ServerConfig> servers = load(String.join("\n",
        "mail {",
        AUTH,
        "  ssl_certificate rsa.crt; ssl_certificate_key rsa.key;",
        "  ssl_certificate ec.crt; ssl_certificate_key ec.key;",
        "  server { listen 127.0.0.1:993 ssl; ssl_certificate own.crt; ssl_certificate_key own.key; }",
        "  server { listen 127.0.0.1:995 ssl; }",
        "}"));

    assertThat(servers.get(0).tls().certificates()).containsExactly(pair("own.crt", "own.key"));
    assertThat(servers.get(1).tls().certificates())
        .containsExactly(pair("rsa.crt", "rsa.key"), pair("ec.crt", "ec.key"));
  }

  @Test
  void certificatesAndKeysAreInheritedSeparatelyAsInNginx() throws Exception {
    List<ServerConfig> servers = load(String.join("\n",
        "mail {",
        AUTH,
        "  ssl_certificate a.crt; ssl_certificate_key a.key;",
        "  server { listen 127.0.0.1:993 ssl; ssl_certificate_key other.key; }",
        "}"));

    assertThat(servers.get(0).tls().certificates()).containsExactly(pair("a.crt", "other.key"));
  }

  @Test
  void listsAndTheSessionTicketKeysAreInheritedAsAWhole() throws Exception {
    List<ServerConfig> servers = load(String.join("\n",
        "mail {",
        AUTH,
        "  ssl_session_ticket_key one.key; ssl_session_ticket_key two.key;",
        "  ssl_conf_command Options -SessionTicket;",
        "  server { listen 127.0.0.1:143; ssl_session_ticket_key three.key; }",
        "  server { listen 127.0.0.1:110; }",
        "}"));

    assertThat(servers.get(0).tls().sessionTicketKeys()).containsExactly(dir.resolve("three.key"));
    assertThat(servers.get(1).tls().sessionTicketKeys())
        .containsExactly(dir.resolve("one.key"), dir.resolve("two.key"));
    assertThat(servers.get(0).tls().confCommands()).containsExactly("Options -SessionTicket");
  }

  @Test
  void theSessionCachesBuiltinPartAndSharedZoneAreInheritedSeparately() throws Exception {
    List<ServerConfig> servers = load(String.join("\n",
        "mail {",
        AUTH,
        "  ssl_session_cache shared:MAIL:1m;",
        "  server { listen 127.0.0.1:143; }",
        "  server { listen 127.0.0.1:110; ssl_session_cache builtin:100; }",
        "  server { listen 127.0.0.1:25; ssl_session_cache builtin:9000; }",
        "  server { listen 127.0.0.1:587; ssl_session_cache off; }",
        "}"));

    assertThat(servers).extracting(s -> s.tls().sessionCache()).containsExactly(
        cache(TlsConfig.SessionCache.Mode.BUILTIN, 4096),
        cache(TlsConfig.SessionCache.Mode.BUILTIN, 4096),
        cache(TlsConfig.SessionCache.Mode.BUILTIN, 9000),
        cache(TlsConfig.SessionCache.Mode.OFF, -1));
  }

  @Test
  void backendSettingsAreInheritedOneByOne() throws Exception {
    List<ServerConfig> servers = load(String.join("\n",
        "mail {",
        AUTH,
        "  proxy_ssl on; proxy_ssl_verify off; proxy_ssl_trusted_certificate ca.pem;",
        "  proxy_ssl_certificate c.crt; proxy_ssl_certificate_key c.key; proxy_ssl_protocols TLSv1.3;",
        "  server { listen 127.0.0.1:143; proxy_ssl_verify on; proxy_ssl_certificate_key other.key; }",
        "  server { listen 127.0.0.1:110; proxy_ssl_session_reuse off; proxy_ssl_password_file pw; }",
        "}"));

    BackendTlsConfig own = servers.get(0).backendTls();
    BackendTlsConfig inherits = servers.get(1).backendTls();
    assertThat(own).isEqualTo(new BackendTlsConfig(BackendTlsConfig.Mode.ON, true, Optional.of(dir.resolve("ca.pem")),
        Optional.empty(), Optional.of(pair("c.crt", "other.key")), Optional.empty(), List.of("TLSv1.3"), true));
    assertThat(inherits).isEqualTo(new BackendTlsConfig(BackendTlsConfig.Mode.ON, false,
        Optional.of(dir.resolve("ca.pem")), Optional.empty(), Optional.of(pair("c.crt", "c.key")),
        Optional.of(dir.resolve("pw")), List.of("TLSv1.3"), false));
  }

  @Test
  void sslOnInMailMakesEveryServersListensImplicitTlsUnlessAServerSaysOff() throws Exception {
    List<ServerConfig> servers = load(String.join("\n",
        "mail {",
        AUTH,
        "  ssl on;",
        "  ssl_certificate a.crt; ssl_certificate_key a.key;",
        "  server { listen 127.0.0.1:993; listen 127.0.0.1:994; }",
        "  server { listen 127.0.0.1:143; ssl off; starttls on; }",
        "}"));

    assertThat(servers.get(0).listens()).extracting(ListenConfig::ssl).containsExactly(true, true);
    assertThat(servers.get(1).listens()).extracting(ListenConfig::ssl).containsExactly(false);
    assertThat(servers.get(1).tls().starttls()).isEqualTo(TlsConfig.Starttls.ON);
  }

  // ---- certificate checks for servers that speak TLS

  @Test
  void aListenWithSslAndNoCertificateIsAnErrorAtThatListen() throws IOException {
    assertFails("mail {\n" + AUTH + "server {\n  listen 127.0.0.1:143;\n  listen 127.0.0.1:993 ssl;\n}\n}",
        "no \"ssl_certificate\" is defined for the \"listen ... ssl\" directive in " + conf() + ":5");
  }

  @Test
  void starttlsWithoutCertificateIsAnErrorAtTheStarttlsLine() throws IOException {
    assertFails("mail {\n" + AUTH + "server {\n  listen 127.0.0.1:143;\n  starttls only;\n}\n}",
        "no \"ssl_certificate\" is defined for the \"starttls\" directive in " + conf() + ":5");
  }

  @Test
  void anInheritedStarttlsWithoutCertificateIsReportedAtTheMailLine() throws IOException {
    assertFails("mail {\n" + AUTH + "starttls on;\nserver {\n  listen 127.0.0.1:143;\n}\n}",
        "no \"ssl_certificate\" is defined for the \"starttls\" directive in " + conf() + ":3");
  }

  @Test
  void sslOnWithoutCertificateIsAnErrorAtTheSslLine() throws IOException {
    assertFails("mail {\n" + AUTH + "server {\n  listen 127.0.0.1:143;\n  ssl on;\n}\n}",
        "no \"ssl_certificate\" is defined for the \"ssl\" directive in " + conf() + ":5");
  }

  @Test
  void aCertificateWithoutAnyKeyIsAnErrorWhenTlsIsUsed() throws IOException {
    assertFails("mail {\n" + AUTH + "ssl_certificate a.crt;\nserver {\n  listen 127.0.0.1:993 ssl;\n}\n}",
        "no \"ssl_certificate_key\" is defined for the \"listen ... ssl\" directive in " + conf() + ":5");
  }

  @Test
  void moreCertificatesThanKeysNamesTheLastCertificate() throws IOException {
    assertFails("mail {\n" + AUTH + "server {\n  listen 127.0.0.1:143;\n  starttls on;\n"
            + "  ssl_certificate a.crt; ssl_certificate b.crt; ssl_certificate_key a.key;\n}\n}",
        "no \"ssl_certificate_key\" is defined for certificate \"b.crt\" and the \"starttls\" directive in "
            + conf() + ":5");
  }

  @Test
  void aCertificateWithoutKeyIsAnErrorAtTheServerEvenWithoutTls() throws IOException {
    assertFails("mail {\n" + AUTH + "server {\n  listen 127.0.0.1:143;\n  ssl_certificate a.crt;\n}\n}",
        "no \"ssl_certificate_key\" is defined for certificate \"a.crt\" in " + conf() + ":3");
  }

  @Test
  void keysBeyondTheLastCertificateAreUnused() throws Exception {
    TlsConfig tls = load("mail {\n" + AUTH + "server { listen 127.0.0.1:993 ssl; ssl_certificate a.crt;"
        + " ssl_certificate_key a.key; ssl_certificate_key spare.key; }\n}").get(0).tls();

    assertThat(tls.certificates()).containsExactly(pair("a.crt", "a.key"));
  }

  @Test
  void starttlsOnAServerWhoseEveryListenIsImplicitTlsIsFine() throws Exception {
    ServerConfig s = load("mail {\n" + AUTH + "ssl_certificate a.crt; ssl_certificate_key a.key;\n"
        + "server { listen 127.0.0.1:993 ssl; starttls only; }\n}").get(0);

    assertThat(s.tls().starttls()).isEqualTo(TlsConfig.Starttls.ONLY);
    assertThat(s.listens().get(0).ssl()).isTrue();
  }

  @Test
  void aServerWithoutTlsNeedsNoCertificate() throws Exception {
    ServerConfig s = load("mail {\n" + AUTH + "server { listen 127.0.0.1:143; starttls off; ssl_verify_client on; }\n}")
        .get(0);

    assertThat(s.tls().certificates()).isEmpty();
  }

  @Test
  void verifyingClientsNeedTheirCaWhenTlsIsUsed() throws IOException {
    assertFails("mail {\n" + AUTH + "ssl_certificate a.crt; ssl_certificate_key a.key;\n"
            + "server {\n  listen 127.0.0.1:993 ssl;\n  ssl_verify_client optional;\n}\n}",
        "no ssl_client_certificate for ssl_verify_client in " + conf() + ":4");
  }

  @Test
  void optionalNoCaNeedsNoCa() throws Exception {
    ServerConfig s = load("mail {\n" + AUTH + "ssl_certificate a.crt; ssl_certificate_key a.key;\n"
        + "server { listen 127.0.0.1:993 ssl; ssl_verify_client optional_no_ca; }\n}").get(0);

    assertThat(s.tls().verifyClient()).isEqualTo(TlsConfig.VerifyClient.OPTIONAL_NO_CA);
    assertThat(s.tls().clientCertificate()).isEmpty();
  }

  // ---- nginx-tests configurations

  /** nginx-tests' mail_ssl.t. */
  @Test
  void theMailSslTestConfigurationLoads() throws Exception {
    List<ServerConfig> servers = load("""
        daemon off;

        events {
        }

        mail {
            ssl_certificate_key localhost.key;
            ssl_certificate localhost.crt;

            ssl_password_file password;

            auth_http  http://127.0.0.1:8080; # unused

            server {
                listen             127.0.0.1:8143;
                listen             127.0.0.1:8145 ssl;
                protocol           imap;
            }

            server {
                listen             127.0.0.1:8148 ssl;
                protocol           imap;

                ssl_certificate_key inherits.key;
                ssl_certificate inherits.crt;
            }

            server {
                listen             127.0.0.1:8149;
                protocol           imap;

                starttls           on;
            }

            server {
                listen             127.0.0.1:8150;
                protocol           imap;

                starttls           only;
            }

            server {
                listen             127.0.0.1:8151;
                protocol           pop3;

                starttls           on;
            }

            server {
                listen             127.0.0.1:8152;
                protocol           pop3;

                starttls           only;
            }

            server {
                listen             127.0.0.1:8153;
                protocol           smtp;

                starttls           on;
            }

            server {
                listen             127.0.0.1:8154;
                protocol           smtp;

                starttls           only;
            }
        }
        """);

    assertThat(servers).hasSize(8);
    assertThat(servers.get(0).listens()).extracting(ListenConfig::ssl).containsExactly(false, true);
    assertThat(servers.get(1).listens()).extracting(ListenConfig::ssl).containsExactly(true);
    assertThat(servers.get(1).tls().certificates()).containsExactly(pair("inherits.crt", "inherits.key"));
    assertThat(servers).extracting(s -> s.tls().starttls()).containsExactly(
        TlsConfig.Starttls.OFF, TlsConfig.Starttls.OFF, TlsConfig.Starttls.ON, TlsConfig.Starttls.ONLY,
        TlsConfig.Starttls.ON, TlsConfig.Starttls.ONLY, TlsConfig.Starttls.ON, TlsConfig.Starttls.ONLY);
    assertThat(servers).extracting(ServerConfig::protocol)
        .containsExactly("imap", "imap", "imap", "imap", "pop3", "pop3", "smtp", "smtp");
    for (ServerConfig s : servers) {
      assertThat(s.tls().passwordFile()).contains(dir.resolve("password"));
      if (s != servers.get(1)) {
        assertThat(s.tls().certificates()).containsExactly(pair("localhost.crt", "localhost.key"));
      }
    }
  }

  /** nginx-tests' mail_imap_ssl.t, its http block included. */
  @Test
  void theMailImapSslTestConfigurationLoads() throws Exception {
    List<ServerConfig> servers = load("""
        daemon off;

        events {
        }

        mail {
            proxy_pass_error_message  on;
            proxy_timeout  15s;
            auth_http  http://127.0.0.1:8080/mail/auth;
            auth_http_pass_client_cert on;

            ssl_certificate_key 1.example.com.key;
            ssl_certificate 1.example.com.crt;

            server {
                listen     127.0.0.1:8143;
                protocol   imap;
            }

            server {
                listen     127.0.0.1:8993 ssl;
                protocol   imap;

                ssl_verify_client on;
                ssl_client_certificate 2.example.com.crt;
            }

            server {
                listen     127.0.0.1:8994 ssl;
                protocol   imap;

                ssl_verify_client optional;
                ssl_client_certificate 2.example.com.crt;
            }

            server {
                listen     127.0.0.1:8995 ssl;
                protocol   imap;

                ssl_verify_client optional;
                ssl_client_certificate 2.example.com.crt;
                ssl_trusted_certificate 3.example.com.crt;
            }

            server {
                listen     127.0.0.1:8996 ssl;
                protocol   imap;

                ssl_verify_client optional_no_ca;
                ssl_client_certificate 2.example.com.crt;
            }
        }

        http {
            log_format  test  '$http_auth_ssl:$http_auth_ssl_verify:'
                              '$http_auth_ssl_subject:$http_auth_ssl_issuer:'
                              '$http_auth_ssl_serial:$http_auth_ssl_fingerprint:'
                              '$http_auth_ssl_cert:$http_auth_pass';
            log_format  test2 '$http_auth_ssl_cipher:$http_auth_ssl_protocol';

            server {
                listen       127.0.0.1:8080;
                server_name  localhost;

                location = /mail/auth {
                    access_log auth.log test;
                    access_log auth2.log test2;

                    add_header Auth-Status OK;
                    add_header Auth-Server 127.0.0.1;
                    add_header Auth-Port 8144;
                    add_header Auth-Wait 1;
                    return 204;
                }
            }
        }
        """);

    assertThat(servers).hasSize(5);
    assertThat(servers).extracting(s -> s.listens().get(0).ssl()).containsExactly(false, true, true, true, true);
    assertThat(servers).extracting(s -> s.tls().verifyClient()).containsExactly(
        TlsConfig.VerifyClient.OFF, TlsConfig.VerifyClient.ON, TlsConfig.VerifyClient.OPTIONAL,
        TlsConfig.VerifyClient.OPTIONAL, TlsConfig.VerifyClient.OPTIONAL_NO_CA);
    assertThat(servers).extracting(s -> s.tls().clientCertificate()).containsExactly(
        Optional.empty(), Optional.of(dir.resolve("2.example.com.crt")), Optional.of(dir.resolve("2.example.com.crt")),
        Optional.of(dir.resolve("2.example.com.crt")), Optional.of(dir.resolve("2.example.com.crt")));
    assertThat(servers).extracting(s -> s.tls().trustedCertificate()).containsExactly(
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(dir.resolve("3.example.com.crt")),
        Optional.empty());
    for (ServerConfig s : servers) {
      assertThat(s.tls().certificates()).containsExactly(pair("1.example.com.crt", "1.example.com.key"));
      assertThat(s.tls().verifyDepth()).isEqualTo(1);
      assertThat(s.authHttp().orElseThrow().passClientCert()).isTrue();
    }
    assertThat(notices).containsExactly("\"http\" directive is ignored");
  }

  /** nginx-tests' mail_ssl_session_reuse.t. */
  @Test
  void theMailSslSessionReuseTestConfigurationLoads() throws Exception {
    List<ServerConfig> servers = load("""
        daemon off;

        events {
        }

        mail {
            auth_http  http://127.0.0.1:8080;

            ssl_certificate localhost.crt;
            ssl_certificate_key localhost.key;

            server {
                listen    127.0.0.1:8993 ssl;
                protocol  imap;
            }

            server {
                listen    127.0.0.1:8994 ssl;
                protocol  imap;

                ssl_session_cache shared:SSL:1m;
                ssl_session_tickets on;
            }

            server {
                listen    127.0.0.1:8995 ssl;
                protocol  imap;

                ssl_session_cache shared:SSL:1m;
                ssl_session_tickets off;
            }

            server {
                listen    127.0.0.1:8996 ssl;
                protocol  imap;

                ssl_session_cache builtin;
                ssl_session_tickets off;
            }

            server {
                listen    127.0.0.1:8997 ssl;
                protocol  imap;

                ssl_session_cache builtin:1000;
                ssl_session_tickets off;
            }

            server {
                listen    127.0.0.1:8998 ssl;
                protocol  imap;

                ssl_session_cache none;
                ssl_session_tickets off;
            }

            server {
                listen    127.0.0.1:8999 ssl;
                protocol  imap;

                ssl_session_cache off;
                ssl_session_tickets off;
            }
        }
        """);

    assertThat(servers).extracting(s -> s.tls().sessionCache()).containsExactly(
        cache(TlsConfig.SessionCache.Mode.NONE, -1),
        cache(TlsConfig.SessionCache.Mode.BUILTIN, 4096),
        cache(TlsConfig.SessionCache.Mode.BUILTIN, 4096),
        cache(TlsConfig.SessionCache.Mode.BUILTIN, 20480),
        cache(TlsConfig.SessionCache.Mode.BUILTIN, 1000),
        cache(TlsConfig.SessionCache.Mode.NONE, -1),
        cache(TlsConfig.SessionCache.Mode.OFF, -1));
    assertThat(servers).extracting(s -> s.tls().sessionTickets())
        .containsExactly(true, true, false, false, false, false, false);
    assertThat(servers).allSatisfy(s -> {
      assertThat(s.listens().get(0).ssl()).isTrue();
      assertThat(s.tls().certificates()).containsExactly(pair("localhost.crt", "localhost.key"));
    });
  }

  /** nginx-tests' mail_capability.t. */
  @Test
  void theMailCapabilityTestConfigurationLoads() throws Exception {
    List<ServerConfig> servers = load("""
        daemon off;

        events {
        }

        mail {
            ssl_certificate_key localhost.key;
            ssl_certificate localhost.crt;

            auth_http  http://127.0.0.1:8080; # unused

            pop3_auth  plain apop cram-md5;

            server {
                listen     127.0.0.1:8143;
                protocol   imap;
                imap_capabilities SEE-THIS;
            }

            server {
                listen     127.0.0.1:8144;
                protocol   imap;
                starttls   on;
            }

            server {
                listen     127.0.0.1:8145;
                protocol   imap;
                starttls   only;
            }

            server {
                listen     127.0.0.1:8110;
                protocol   pop3;
            }

            server {
                listen     127.0.0.1:8111;
                protocol   pop3;
                starttls   on;
            }

            server {
                listen     127.0.0.1:8112;
                protocol   pop3;
                starttls   only;
            }

            server {
                listen     127.0.0.1:8025;
                protocol   smtp;
                starttls   off;
            }

            server {
                listen     127.0.0.1:8026;
                protocol   smtp;
                starttls   on;
            }

            server {
                listen     127.0.0.1:8027;
                protocol   smtp;
                starttls   only;
            }
        }
        """);

    assertThat(servers).extracting(s -> s.tls().starttls()).containsExactly(
        TlsConfig.Starttls.OFF, TlsConfig.Starttls.ON, TlsConfig.Starttls.ONLY,
        TlsConfig.Starttls.OFF, TlsConfig.Starttls.ON, TlsConfig.Starttls.ONLY,
        TlsConfig.Starttls.OFF, TlsConfig.Starttls.ON, TlsConfig.Starttls.ONLY);
    assertThat(servers.get(0).imap().capabilities()).containsExactly("SEE-THIS");
    assertThat(servers.get(4).pop3().auth())
        .containsExactlyInAnyOrder(Mechanism.PLAIN, Mechanism.APOP, Mechanism.CRAM_MD5);
    assertThat(servers).allSatisfy(s -> {
      assertThat(s.listens()).extracting(ListenConfig::ssl).containsOnly(false);
      assertThat(s.tls().certificates()).containsExactly(pair("localhost.crt", "localhost.key"));
      assertThat(s.tls().protocols()).containsExactly("TLSv1.2", "TLSv1.3");
    });
    assertThat(notices).isEmpty();
  }
}
