package io.mailgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.unix.DomainSocketAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code proxy_protocol} (towards backends) and {@code set_real_ip_from}: parsing, inheritance and matching. */
class ProxyProtocolConfigTest {

  @TempDir Path dir;
  private final List<String> notices = new ArrayList<>();

  private List<ServerConfig> load(String mailBody) throws Exception {
    Path file = dir.resolve("mailgate.conf");
    Files.writeString(file, "events {}\nmail {\n  auth_http 127.0.0.1:9;\n" + mailBody + "\n}\n");
    return ConfigLoader.load(file, dir, notices::add).servers();
  }

  @Test
  void bothAreOffAndEmptyByDefault() throws Exception {
    ServerConfig s = load("server { listen 127.0.0.1:143; }").get(0);
    assertThat(s.proxyProtocol()).isEqualTo(ProxyProtocolVersion.OFF);
    assertThat(s.realIpFrom()).isEmpty();
  }

  @Test
  void aServerInheritsMailsSettingsUnlessItHasItsOwnList() throws Exception {
    List<ServerConfig> servers = load("proxy_protocol on;\nset_real_ip_from 10.0.0.0/8;\n"
        + "set_real_ip_from unix:;\n"
        + "server { listen 127.0.0.1:143; }\n"
        + "server { listen 127.0.0.1:993; proxy_protocol off; set_real_ip_from 192.0.2.7; }");
    assertThat(servers.get(0).proxyProtocol()).isEqualTo(ProxyProtocolVersion.V1);
    assertThat(servers.get(0).realIpFrom()).extracting(AddressRange::text).containsExactly("10.0.0.0/8", "unix:");
    assertThat(servers.get(1).proxyProtocol()).isEqualTo(ProxyProtocolVersion.OFF);
    assertThat(servers.get(1).realIpFrom()).extracting(AddressRange::text).containsExactly("192.0.2.7");
    assertThat(notices).isEmpty();
  }

  @Test
  void versionTwoConnectTimeoutAndClientIdentityAreReadAndInherited() throws Exception {
    List<ServerConfig> servers = load("proxy_protocol v2;\nproxy_connect_timeout 5s;\nproxy_client_identity on;\n"
        + "imap_id_fields name mailgate vendor \"Example Mail\";\n"
        + "server { listen 127.0.0.1:143; }\n"
        + "server { listen 127.0.0.1:993; proxy_protocol v1; proxy_connect_timeout 750ms; proxy_client_identity off;"
        + " imap_id_fields name other; }");
    ServerConfig first = servers.get(0);
    assertThat(first.proxyProtocol()).isEqualTo(ProxyProtocolVersion.V2);
    assertThat(first.proxyConnectTimeout()).isEqualTo(java.time.Duration.ofSeconds(5));
    assertThat(first.proxyClientIdentity()).isTrue();
    assertThat(first.imap().idFields()).containsExactly("name", "mailgate", "vendor", "Example Mail");
    ServerConfig second = servers.get(1);
    assertThat(second.proxyProtocol()).isEqualTo(ProxyProtocolVersion.V1);
    assertThat(second.proxyConnectTimeout()).isEqualTo(java.time.Duration.ofMillis(750));
    assertThat(second.proxyClientIdentity()).isFalse();
    assertThat(second.imap().idFields()).containsExactly("name", "other");
  }

  @Test
  void connectTimeoutAndClientIdentityDefaultAsNginx() throws Exception {
    ServerConfig s = load("server { listen 127.0.0.1:143; }").get(0);
    assertThat(s.proxyConnectTimeout()).isEqualTo(java.time.Duration.ofSeconds(60));
    assertThat(s.proxyClientIdentity()).isFalse();
    assertThat(s.imap().idFields()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"proxy_protocol v3;", "proxy_protocol yes;", "imap_id_fields name;",
      "imap_id_fields name a b;",
      "imap_id_fields a-field-name-longer-than-thirty-octets x;"})
  void badIdentityDirectivesAreRefused(String directive) {
    assertThatThrownBy(() -> load(directive + "\nserver { listen 127.0.0.1:143; }"))
        .isInstanceOf(ConfigException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.0/33", "2001:db8::/129", "localhost", "10.0.0.0/", "10.0.0.0/x", "10.1/8", ""})
  void aBadSourceIsRefusedWithItsText(String value) {
    assertThatThrownBy(() -> load("set_real_ip_from \"" + value + "\";\nserver { listen 127.0.0.1:143; }"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("invalid parameter \"" + value + "\"");
  }

  @ParameterizedTest(name = "{0} matches {1}: {2}")
  @CsvSource({
      "10.0.0.0/8, 10.200.3.4, true",
      "10.0.0.0/8, 11.0.0.1, false",
      "10.1.2.3/8, 10.9.9.9, true", // host bits are cleared, as nginx does after its warning
      "192.0.2.7, 192.0.2.7, true",
      "192.0.2.7, 192.0.2.8, false",
      "0.0.0.0/0, 203.0.113.9, true",
      "2001:db8::/32, 2001:db8:1::5, true",
      "2001:db8::/32, 2001:db9::5, false",
      "::1, ::1, true",
      "10.0.0.0/8, ::ffff:10.0.0.1, true", // an IPv4 client on a dual-stack socket
      "::/0, 10.0.0.1, false",
  })
  void rangesMatchClientAddresses(String range, String client, boolean matches) throws Exception {
    AddressRange parsed = load("set_real_ip_from " + range + ";\nserver { listen 127.0.0.1:143; }")
        .get(0).realIpFrom().get(0);
    assertThat(parsed.matches(new InetSocketAddress(client, 1000))).isEqualTo(matches);
  }

  @Test
  void unixMatchesOnlyUnixDomainClients() throws Exception {
    AddressRange unix = load("set_real_ip_from unix:;\nserver { listen 127.0.0.1:143; }").get(0).realIpFrom().get(0);
    assertThat(unix.matches(new DomainSocketAddress("/run/haproxy.sock"))).isTrue();
    assertThat(unix.matches(new InetSocketAddress("127.0.0.1", 1000))).isFalse();
  }
}
