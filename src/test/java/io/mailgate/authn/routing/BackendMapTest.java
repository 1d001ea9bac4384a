package io.mailgate.authn.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailgate.backend.BackendTarget;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BackendMapTest {

  @TempDir
  Path dir;

  private Path write(String text) throws Exception {
    Path file = dir.resolve("backends.map");
    Files.writeString(file, text);
    return file;
  }

  private static Optional<BackendTarget> at(String... hostPorts) {
    return Optional.of(new BackendTarget(Arrays.stream(hostPorts).map(HostPort::parse).toList()));
  }

  @Test
  void prefersTheUserLineThenTheDomainLineThenTheDefault() throws Exception {
    BackendMap map = BackendMap.load(write("""
        # mailbox servers
        alice@example.com 10.0.0.5:143

        @example.com      10.0.0.6:143
        *                 10.0.0.7:143
        bob               [::1]:143
        """));

    assertThat(map.size()).isEqualTo(4);
    assertThat(map.lookup("alice@example.com")).isEqualTo(at("10.0.0.5:143"));
    assertThat(map.lookup("carol@example.com")).isEqualTo(at("10.0.0.6:143"));
    assertThat(map.lookup("dave@example.org")).isEqualTo(at("10.0.0.7:143"));
    assertThat(map.lookup("bob")).isEqualTo(at("[::1]:143"));
    assertThat(map.lookup("eve")).isEqualTo(at("10.0.0.7:143"));
  }

  @Test
  void matchesDomainsCaseInsensitivelyButLocalPartsExactly() throws Exception {
    BackendMap map = BackendMap.load(write("alice@Example.COM 10.0.0.5:143\n@Example.org 10.0.0.6:143\n"));

    assertThat(map.lookup("alice@EXAMPLE.com")).isEqualTo(at("10.0.0.5:143"));
    assertThat(map.lookup("Alice@example.com")).isEmpty();
    assertThat(map.lookup("x@EXAMPLE.ORG")).isEqualTo(at("10.0.0.6:143"));
  }

  @Test
  void aLineMayListSeveralAddressesTriedInItsOrder() throws Exception {
    BackendMap map = BackendMap.load(write("alice@example.com 10.0.0.1:143 [2001:db8::2]:143 10.0.0.3:1143\n"));

    assertThat(map.lookup("alice@example.com")).isEqualTo(at("10.0.0.1:143", "[2001:db8::2]:143", "10.0.0.3:1143"));
    assertThat(map.lookup("alice@example.com").orElseThrow().toString())
        .isEqualTo("10.0.0.1:143 [2001:db8:0:0:0:0:0:2]:143 10.0.0.3:1143");
  }

  @Test
  void aHostNameGivesEveryAddressItResolvesTo() throws Exception {
    BackendMap map = BackendMap.load(write("* localhost:143\n"));

    java.net.InetAddress[] all = java.net.InetAddress.getAllByName("localhost");
    BackendTarget target = map.lookup("x").orElseThrow();
    assertThat(target.addresses()).hasSize(all.length)
        .extracting(InetSocketAddress::getAddress).containsExactly(all);
    assertThat(target.hostName()).as("the certificate name by default").contains("localhost");
    assertThat(BackendMap.load(write("* localhost:143 127.0.0.1:143\n")).lookup("x").orElseThrow().hostName())
        .as("no single name for a line of several entries").isEmpty();
  }

  @Test
  void findsNothingWithoutADefault() throws Exception {
    BackendMap map = BackendMap.load(write("@example.com 10.0.0.6:143\r\n"));

    assertThat(map.lookup("a@example.net")).isEmpty();
    assertThat(map.lookup("example.com")).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "alice@example.com                          | 1 | expected",
      "alice@example.com 10.0.0.5:143 extra       | 1 | expected",
      "alice@example.com 10.0.0.5                 | 1 | host:port",
      "alice@example.com 10.0.0.5:70000           | 1 | out of range",
      "@ 10.0.0.5:143                             | 1 | bad domain",
      "@a@b 10.0.0.5:143                          | 1 | bad domain",
      "alice@ 10.0.0.5:143                        | 1 | bad user",
      "'* 10.0.0.5:143\n* 10.0.0.6:143'           | 2 | duplicate",
      "'# c\na@b 10.0.0.5:143\na@B 10.0.0.6:143'  | 3 | duplicate",
      "'\n\nx ::1:143'                            | 3 | brackets"})
  void reportsBadLinesWithFileAndLine(String text, int line, String problem) throws Exception {
    Path file = write(text);

    assertThatThrownBy(() -> BackendMap.load(file))
        .isInstanceOfSatisfying(FileFormatException.class, e -> {
          assertThat(e.file()).isEqualTo(file);
          assertThat(e.line()).isEqualTo(line);
        })
        .hasMessageStartingWith(file + ":" + line + ": ")
        .hasMessageContaining(problem);
  }

  @Test
  void reportsBytesThatAreNotUtf8WithTheirLine() throws Exception {
    Path file = dir.resolve("bad.map");
    Files.write(file, "a@b 10.0.0.5:143\nc\u00e9@d 10.0.0.5:143\n".getBytes(StandardCharsets.ISO_8859_1));

    assertThatThrownBy(() -> BackendMap.load(file)).hasMessage(file + ":2: not valid UTF-8");
  }
}
