package io.mailgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code login_throttle*}, {@code throttle_redis*} and {@code limit_*}: defaults, inheritance, errors. */
class ThrottleDirectivesTest {

  @TempDir Path dir;
  private final List<String> notices = new ArrayList<>();

  private List<ServerConfig> load(String mailBody) throws Exception {
    Path file = dir.resolve("mailgate.conf");
    Files.writeString(file, "events {}\nmail {\n  auth_http 127.0.0.1:9;\n" + mailBody + "\n}\n");
    return ConfigLoader.load(file, dir, notices::add).servers();
  }

  @Test
  void offAndUnlimitedByDefault() throws Exception {
    ThrottleConfig t = load("server { listen 127.0.0.1:143; }").get(0).throttle();
    assertThat(t).isEqualTo(ThrottleConfig.NONE);
    assertThat(t.login().window()).isEqualTo(Duration.ofMinutes(5));
    assertThat(t.limits().any()).isFalse();
  }

  @Test
  void aServerInheritsFromMailAndOverrides() throws Exception {
    List<ServerConfig> servers = load("login_throttle on; login_throttle_ip 9; login_throttle_user 4;\n"
        + "login_throttle_window 10m; login_throttle_delay 500ms; login_throttle_max_delay 1m;\n"
        + "login_throttle_exempt 10.0.0.0/8; login_throttle_exempt 2001:db8::/32;\n"
        + "throttle_redis redis://:pw@127.0.0.1:6380/2; throttle_redis_failure closed; throttle_redis_timeout 250ms;\n"
        + "limit_preauth_per_client 20; limit_preauth_per_listener 1000; limit_sessions_per_client 50;\n"
        + "server { listen 127.0.0.1:143; }\n"
        + "server { listen 127.0.0.1:110; login_throttle off; throttle_redis off; limit_preauth_per_client 0; }");
    ThrottleConfig a = servers.get(0).throttle();
    assertThat(a.login().enabled()).isTrue();
    assertThat(a.login().ipFailures()).isEqualTo(9);
    assertThat(a.login().userFailures()).isEqualTo(4);
    assertThat(a.login().window()).isEqualTo(Duration.ofMinutes(10));
    assertThat(a.login().delay()).isEqualTo(Duration.ofMillis(500));
    assertThat(a.login().maxDelay()).isEqualTo(Duration.ofMinutes(1));
    assertThat(a.login().exempt()).extracting(AddressRange::text).containsExactly("10.0.0.0/8", "2001:db8::/32");
    assertThat(a.login().redis().orElseThrow().describe()).isEqualTo("127.0.0.1:6380");
    assertThat(a.login().redis().orElseThrow().toString()).doesNotContain("pw");
    assertThat(a.login().failOpen()).isFalse();
    assertThat(a.login().redisTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(a.limits()).isEqualTo(new ThrottleConfig.Limits(20, 1000, 50));
    ThrottleConfig b = servers.get(1).throttle();
    assertThat(b.login().enabled()).isFalse();
    assertThat(b.login().redis()).isEmpty();
    assertThat(b.limits()).isEqualTo(new ThrottleConfig.Limits(0, 1000, 50));
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.1:6379", "redis://", "redis://host:6379/db", "redis://host?x=1", "x y"})
  void aBadRedisUrlIsRefusedWithoutEchoingIt(String url) {
    assertThatThrownBy(() -> load("throttle_redis \"" + url + "\";\nserver { listen 127.0.0.1:143; }"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("invalid Redis URL in \"throttle_redis\" directive")
        .hasMessageContaining("mailgate.conf:4");
  }

  @Test
  void badValuesNameTheirLine() {
    assertThatThrownBy(() -> load("login_throttle_ip -1;\nserver { listen 127.0.0.1:143; }"))
        .hasMessageContaining("invalid value \"-1\"");
    assertThatThrownBy(() -> load("throttle_redis_failure maybe;\nserver { listen 127.0.0.1:143; }"))
        .hasMessageContaining("it must be \"open\" or \"closed\"");
    assertThatThrownBy(() -> load("login_throttle_exempt 10.0.0.0/33;\nserver { listen 127.0.0.1:143; }"))
        .hasMessageContaining("invalid parameter \"10.0.0.0/33\"");
    assertThatThrownBy(() -> load("login_throttle_delay 10s; login_throttle_max_delay 1s;\n"
        + "server { listen 127.0.0.1:143; }"))
        .hasMessageContaining("\"login_throttle_max_delay\" is less than \"login_throttle_delay\"");
    assertThatThrownBy(() -> load("login_throttle_window 0;\nserver { listen 127.0.0.1:143; }"))
        .hasMessageContaining("invalid value \"0\"");
  }
}
