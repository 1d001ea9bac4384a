package io.mailgate.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mailgate.config.Sizes;
import io.mailgate.config.Times;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * nginx time and size values (and, through sizes, plain numbers): any text gives a value or empty; a value formats
 * to text that parses to the same value; values built from parts equal their exact (BigInteger) sum, or are refused
 * when that does not fit, so no overflow wraps around.
 */
class TimesSizesFuzzTest {

  private static final String[] MILLI_UNITS = {"w", "d", "h", "m", "s", "ms"};
  private static final long[] MILLI_SCALE = {604_800_000L, 86_400_000L, 3_600_000L, 60_000L, 1000L, 1L};
  private static final String[] SECOND_UNITS = {"y", "M", "w", "d", "h", "m", "s"};
  private static final long[] SECOND_SCALE = {31_536_000L, 2_592_000L, 604_800L, 86_400L, 3600L, 60L, 1L};

  @FuzzTest(maxDuration = "30s")
  void anyTextRoundTrips(FuzzedDataProvider data) {
    String text = data.consumeRemainingAsString();
    Optional<Duration> millis = Times.parseMillis(text);
    millis.ifPresent(d -> {
      assertThat(d.isNegative()).isFalse();
      assertThat(Times.parseMillis(format(d.toMillis(), MILLI_UNITS, MILLI_SCALE))).contains(d);
    });
    Optional<Duration> seconds = Times.parseSeconds(text);
    seconds.ifPresent(d -> {
      assertThat(d.isNegative()).isFalse();
      assertThat(d.toSeconds()).isLessThanOrEqualTo(Integer.MAX_VALUE);
      assertThat(Times.parseSeconds(format(d.toSeconds(), SECOND_UNITS, SECOND_SCALE))).contains(d);
    });
    OptionalInt size = Sizes.parse(text);
    size.ifPresent(n -> {
      assertThat(n).isNotNegative();
      assertThat(Sizes.parse(Integer.toString(n))).hasValue(n);
      if (n % 1024 == 0) {
        assertThat(Sizes.parse(n / 1024 + "k")).hasValue(n);
      }
    });
  }

  @FuzzTest(maxDuration = "30s")
  void partsSumExactlyOrAreRefused(FuzzedDataProvider data) {
    boolean secondsStyle = data.consumeBoolean();
    String[] units = secondsStyle ? SECOND_UNITS : MILLI_UNITS;
    long[] scale = secondsStyle ? SECOND_SCALE : MILLI_SCALE;
    StringBuilder text = new StringBuilder();
    BigInteger exact = BigInteger.ZERO;
    boolean numberTooLong = false;
    for (int u = 0; u < units.length; u++) {
      if (!data.consumeBoolean()) {
        continue;
      }
      long value = data.consumeLong(0, 1L << 40);
      numberTooLong |= value > Integer.MAX_VALUE;
      text.append(value).append(units[u]).append(data.consumeBoolean() && u < units.length - 2 ? " " : "");
      exact = exact.add(BigInteger.valueOf(value).multiply(BigInteger.valueOf(scale[u])));
    }
    String written = text.toString().strip();
    if (written.isEmpty()) {
      return;
    }
    Optional<Duration> parsed = secondsStyle ? Times.parseSeconds(written) : Times.parseMillis(written);
    BigInteger millis = secondsStyle ? exact.multiply(BigInteger.valueOf(1000)) : exact;
    boolean fits = !numberTooLong && millis.bitLength() < 64
        && (!secondsStyle || exact.compareTo(BigInteger.valueOf(Integer.MAX_VALUE)) <= 0);
    if (fits) {
      assertThat(parsed).as(written).contains(Duration.ofMillis(millis.longValueExact()));
    } else {
      assertThat(parsed).as(written).isEmpty();
    }

    long count = data.consumeLong(0, 1L << 33);
    int unit = data.consumeInt(0, 2);
    long sizeScale = unit == 0 ? 1 : unit == 1 ? 1024 : 1024 * 1024;
    String sizeText = count + (unit == 0 ? "" : unit == 1 ? "k" : "M");
    OptionalInt size = Sizes.parse(sizeText);
    if (count <= Integer.MAX_VALUE && count * sizeScale <= Integer.MAX_VALUE) {
      assertThat(size).as(sizeText).hasValue((int) (count * sizeScale));
    } else {
      assertThat(size).as(sizeText).isEmpty();
    }
  }

  /**
   * Largest units first, each at most once and at most {@code Integer.MAX_VALUE} (what one number may be), no unit
   * for a zero part: e.g. {@code 1w2h30s}; zero is {@code 0}.
   */
  private static String format(long amount, String[] units, long[] scale) {
    if (amount == 0) {
      return "0";
    }
    StringBuilder sb = new StringBuilder();
    long rest = amount;
    for (int i = 0; i < units.length; i++) {
      long part = Math.min(rest / scale[i], Integer.MAX_VALUE);
      rest -= part * scale[i];
      if (part > 0) {
        sb.append(part).append(units[i]);
      }
    }
    // Every value the parser returns is a sum of such parts, so nothing is left over.
    assertThat(rest).isZero();
    return sb.toString();
  }
}
