package io.mailgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MetricsListenConfigTest {

  private static final String MAIL = "mail { auth_http 127.0.0.1:9000; server { listen 127.0.0.1:1143; protocol imap; } }\n";

  @TempDir Path dir;

  private MailgateConfig load(String text) throws Exception {
    Path file = dir.resolve("nginx.conf");
    Files.writeString(file, text);
    return ConfigLoader.load(file, dir, n -> { });
  }

  private void assertFails(String text, String message) throws Exception {
    Path file = dir.resolve("nginx.conf");
    Files.writeString(file, text);
    assertThatThrownBy(() -> ConfigLoader.load(file, dir, n -> { }))
        .isInstanceOf(ConfigException.class)
        .hasMessage(message.replace("FILE", file.toString()));
  }

  @Test
  void offByDefault() throws Exception {
    assertThat(load(MAIL).metricsListen()).isEmpty();
    assertThat(load("metrics_listen off;\n" + MAIL).metricsListen()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({
      "127.0.0.1:9143, 127.0.0.1, 9143, 127.0.0.1:9143",
      "*:9143, 0.0.0.0, 9143, 0.0.0.0:9143",
      "9143, 0.0.0.0, 9143, 0.0.0.0:9143",
      "[::1]:9143, ::1, 9143, [::1]:9143"})
  void takesTheAddressFormsOfListen(String arg, String host, int port, String text) throws Exception {
    Optional<MetricsListen> listen = load("metrics_listen " + arg + ";\n" + MAIL).metricsListen();

    assertThat(listen).hasValue(new MetricsListen(new InetSocketAddress(host, port), text));
  }

  @Test
  void errorsNameTheFileAndLine() throws Exception {
    assertFails("\nmetrics_listen 127.0.0.1:99999;\n" + MAIL,
        "invalid port in \"127.0.0.1:99999\" of the \"metrics_listen\" directive in FILE:2");
    assertFails("metrics_listen unix:/tmp/m.sock;\n" + MAIL,
        "unix domain socket in \"unix:/tmp/m.sock\" of the \"metrics_listen\" directive in FILE:1");
    assertFails("metrics_listen 127.0.0.1:9143;\nmetrics_listen 127.0.0.1:9144;\n" + MAIL,
        "\"metrics_listen\" directive is duplicate in FILE:2");
    assertFails("mail { metrics_listen 127.0.0.1:9143; }\n",
        "\"metrics_listen\" directive is not allowed here in FILE:1");
  }
}
