package io.mailgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Command-line parsing. */
class ArgsTest {

  @Test
  void durationsSizesFlagsAndPositionalWordsAreParsed() {
    Args args = Args.parse(new String[] {"login-storm", "--duration", "20s", "--hold", "500ms", "--warmup=2m",
        "--message-size", "1m", "--tls", "--literal-plus", "off", "--target", "[::1]:143"});

    assertThat(args.positional()).containsExactly("login-storm");
    assertThat(args.duration("duration", null)).isEqualTo(Duration.ofSeconds(20));
    assertThat(args.duration("hold", null)).isEqualTo(Duration.ofMillis(500));
    assertThat(args.duration("warmup", null)).isEqualTo(Duration.ofMinutes(2));
    assertThat(args.size("message-size", 0)).isEqualTo(1 << 20);
    assertThat(args.bool("tls", false)).isTrue();
    assertThat(args.bool("literal-plus", true)).isFalse();
    assertThat(args.hostPort("target")).isEqualTo(new HostPort("::1", 143));
    args.rejectUnknown();
  }

  @Test
  void aMisspeltFlagIsRefused() {
    Args args = Args.parse(new String[] {"idle", "--target", "127.0.0.1:143", "--sesions", "9000"});

    assertThatThrownBy(() -> LoadGen.options(args)).hasMessage("unknown flag --sesions");
  }

  @Test
  void wireFindsLiteralsOnlyAtTheEndOfALine() {
    assertThat(Wire.literalAtEnd("a1 LOGIN {5}")).isEqualTo(new Wire.Literal(5, false, 9));
    assertThat(Wire.literalAtEnd("* 1 FETCH (BODY[] {1048576+}")).isEqualTo(new Wire.Literal(1048576, true, 18));
    assertThat(Wire.literalAtEnd("a1 LOGIN {} x")).isNull();
    assertThat(Wire.literalAtEnd("a1 LOGIN {x}")).isNull();
    assertThat(Wire.literalAtEnd("a1 LOGIN {+}")).isNull();
  }
}
