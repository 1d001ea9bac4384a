package io.mailgate.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mailgate.config.AddressRange;
import io.mailgate.config.ConfigException;
import io.mailgate.config.ConfigLexer;
import io.mailgate.config.ConfigLoader;
import io.mailgate.config.ListenConfig;
import io.mailgate.config.MailgateConfig;
import io.mailgate.config.ServerConfig;
import io.mailgate.config.Token;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The whole configuration loader on a file: a configuration, or a {@link ConfigException} whose message ends in
 * {@code in <file>:<line>}; never another exception. Also {@code listen} and {@code set_real_ip_from} arguments
 * (ListenParser, AddressRange) inside a configuration that is otherwise valid.
 */
class ConfigLoaderFuzzTest {

  private static final String FILE = "fuzz.conf";

  @FuzzTest(maxDuration = "30s")
  void loadsOrNamesThePlace(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    // Keep the run inside the scratch folder: no word that is an absolute or parent path (an include of "/**" or a
    // certificate of "/dev/zero" would measure the machine, not the parser). URLs (auth_http) still pass.
    try {
      if (ConfigLexer.tokenize(text, FILE).stream().map(Token::text)
          .anyMatch(w -> w.startsWith("/") || w.contains(".."))) {
        return;
      }
    } catch (ConfigException e) {
      // The loader must report the same lexical error; fall through.
    }
    load(text);
  }

  @FuzzTest(maxDuration = "30s")
  void listenAndRealIpArguments(FuzzedDataProvider data) {
    String listen = data.consumeString(80);
    String param = data.consumeString(40);
    String realIp = data.consumeRemainingAsString();
    if (listen.startsWith("unix:") && listen.indexOf('/') >= 0) {
      return;
    }
    String text = "events {}\nmail {\n auth_http http://127.0.0.1:8080/a;\n server {\n  protocol imap;\n"
        + "  listen " + ConfigTexts.quote(listen) + (param.isEmpty() ? "" : " " + ConfigTexts.quote(param)) + ";\n"
        + "  set_real_ip_from " + ConfigTexts.quote(realIp) + ";\n }\n}\n";
    MailgateConfig config = load(text);
    if (config == null) {
      return;
    }
    ServerConfig server = config.servers().get(0);
    assertThat(server.listens()).isNotEmpty();
    for (ListenConfig l : server.listens()) {
      if (l.address() instanceof InetSocketAddress inet) {
        assertThat(inet.getPort()).isBetween(1, 65535);
        assertThat(inet.isUnresolved()).isFalse();
        assertThat(l.text()).endsWith(":" + inet.getPort());
      }
      assertThat(l.backlog()).isGreaterThanOrEqualTo(0);
    }
    assertThat(server.realIpFrom()).hasSize(1);
    AddressRange range = server.realIpFrom().get(0);
    assertThat(range.text()).isEqualTo(realIp);
    if (range.network().isPresent()) {
      int bits = range.network().get().getAddress().length * 8;
      assertThat(range.prefixLength()).isBetween(0, bits);
      String host = realIp.indexOf('/') < 0 ? realIp : realIp.substring(0, realIp.indexOf('/'));
      assertThat(NetUtil.createByteArrayFromIpAddressString(host)).isNotNull();
      // The block contains its own first address and the address it was written with.
      assertThat(range.matches(new InetSocketAddress(range.network().get(), 1))).isTrue();
      assertThat(range.matches(new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString(host), 1)))
          .isTrue();
    } else {
      assertThat(realIp).isEqualTo("unix:");
    }
  }

  /** The configuration, or null after checking that the error names a line of the file. */
  private static MailgateConfig load(String text) {
    Path file = FuzzFiles.write(FILE, text.getBytes(StandardCharsets.UTF_8));
    try {
      return ConfigLoader.load(file, FuzzFiles.dir(), notice -> { });
    } catch (ConfigException e) {
      assertThat(e.getMessage()).matches("(?s).* in \\Q" + file + "\\E:[1-9][0-9]*");
      return null;
    }
  }
}
