package io.mailgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SizesTest {

  @Test
  void bareNumbersAreBytesAndSuffixesAreBinaryMultiples() {
    assertThat(Sizes.parse("512")).hasValue(512);
    assertThat(Sizes.parse("4k")).hasValue(4096);
    assertThat(Sizes.parse("4K")).hasValue(4096);
    assertThat(Sizes.parse("1m")).hasValue(1024 * 1024);
    assertThat(Sizes.parse("2M")).hasValue(2 * 1024 * 1024);
    assertThat(Sizes.parse("0")).hasValue(0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "k", "4kb", "1g", "-1", " 4", "4 ", "1.5k", "xyz", "4096m", "99999999999"})
  void invalidOrOversizedTextIsRejected(String text) {
    assertThat(Sizes.parse(text)).isEmpty();
  }
}
