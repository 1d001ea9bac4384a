package io.mailgate.resolver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailgate.config.ConfigException;
import io.mailgate.config.ConfigLoader;
import io.mailgate.config.MailgateConfig;
import io.mailgate.config.ResolverConfig;
import io.mailgate.config.ServerConfig;
import io.mailgate.transport.Transport;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code resolver} and {@code resolver_timeout} as the configuration loader reads them, and who shares a resolver. */
class ResolverDirectivesTest {

  @TempDir Path dir;
  private final List<String> notices = new ArrayList<>();

  private MailgateConfig load(String mailBody) throws Exception {
    Path file = dir.resolve("nginx.conf");
    Files.writeString(file, "events {}\nmail {\n  auth_http 127.0.0.1:9;\n" + mailBody + "\n}\n");
    return ConfigLoader.load(file, dir, notices::add);
  }

  private static InetSocketAddress at(String address, int port) throws Exception {
    return new InetSocketAddress(InetAddress.getByName(address), port);
  }

  @Test
  void serversInheritTheMailResolverAndMayReplaceOrTurnItOff() throws Exception {
    MailgateConfig config = load(String.join("\n",
        "resolver 127.0.0.1 [::1]:5353 valid=30s ipv6=off status_zone=dns;",
        "resolver_timeout 5s;",
        "server { listen 127.0.0.1:25; protocol smtp; }",
        "server { listen 127.0.0.1:26; protocol smtp; resolver off; }",
        "server { listen 127.0.0.1:27; protocol smtp; resolver 192.0.2.53; resolver_timeout 1s; }",
        "server { listen 127.0.0.1:28; protocol smtp; resolver_timeout 500ms; }"));
    List<ServerConfig> servers = config.servers();

    ResolverConfig.NameServers mail = new ResolverConfig.NameServers(
        List.of(at("127.0.0.1", 53), at("::1", 5353)), Optional.of(Duration.ofSeconds(30)), true, false);
    assertThat(servers.get(0).resolver()).contains(new ResolverConfig(mail, Duration.ofSeconds(5)));
    assertThat(servers.get(1).resolver()).isEmpty();
    assertThat(servers.get(2).resolver()).contains(new ResolverConfig(new ResolverConfig.NameServers(
        List.of(at("192.0.2.53", 53)), Optional.empty(), true, true), Duration.ofSeconds(1)));
    assertThat(servers.get(3).resolver()).contains(new ResolverConfig(mail, Duration.ofMillis(500)));
    assertThat(notices).isEmpty();
  }

  @Test
  void theTimeoutDefaultsToThirtySecondsAndNoResolverMeansNone() throws Exception {
    MailgateConfig config = load("server { listen 127.0.0.1:25; protocol smtp; resolver 127.0.0.1; }\n"
        + "server { listen 127.0.0.1:26; protocol smtp; resolver_timeout 1s; }");

    assertThat(config.servers().get(0).resolver().orElseThrow().timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.servers().get(1).resolver()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "resolver valid=soon 127.0.0.1;|invalid parameter: valid=soon in ",
      "resolver 127.0.0.1 ipv4=yes;|invalid parameter: ipv4=yes in ",
      "resolver 127.0.0.1 ipv4=off ipv6=off;|\"ipv4\" and \"ipv6\" cannot both be \"off\" in ",
      "resolver valid=10s;|no name servers defined in ",
      "resolver 127.0.0.1:0;|invalid port in resolver \"127.0.0.1:0\" in ",
      "resolver [::1;|invalid host in resolver \"[::1\" in ",
      "resolver 127.0.0.1; resolver 127.0.0.2;|\"resolver\" directive is duplicate in ",
      "resolver_timeout never;|invalid value \"never\" in "})
  void badLinesAreRefusedInNginxWords(String line, String message) {
    assertThatThrownBy(() -> load(line + "\nserver { listen 127.0.0.1:25; protocol smtp; }"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(message);
  }

  @Test
  void smtpServersWithEqualResolverLinesShareOneResolverAndOthersHaveNone() throws Exception {
    MailgateConfig config = load(String.join("\n",
        "server { listen 127.0.0.1:25; protocol smtp; resolver 127.0.0.1:5300; resolver_timeout 1s; }",
        "server { listen 127.0.0.1:26; protocol smtp; resolver 127.0.0.1:5300; }",
        "server { listen 127.0.0.1:27; protocol smtp; resolver 127.0.0.1:5301; }",
        "server { listen 127.0.0.1:28; protocol imap; resolver 127.0.0.1:5300; }",
        "server { listen 127.0.0.1:29; protocol smtp; }"));
    MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try (ClientNameResolvers resolvers = new ClientNameResolvers(group, Transport.nio(Optional.empty()))) {
      List<Optional<ClientNameResolver>> got = new ArrayList<>();
      for (ServerConfig server : config.servers()) {
        got.add(resolvers.forServer(server));
      }

      assertThat(got.get(0)).isPresent();
      assertThat(got.get(1).orElseThrow()).isSameAs(got.get(0).orElseThrow());
      assertThat(got.get(2).orElseThrow()).isNotSameAs(got.get(0).orElseThrow());
      assertThat(got.get(3)).isEmpty();
      assertThat(got.get(4)).isEmpty();
    } finally {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly();
    }
  }
}
