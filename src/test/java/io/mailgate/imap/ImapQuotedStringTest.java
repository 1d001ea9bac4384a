package io.mailgate.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ImapQuotedStringTest {

  @Test
  void quotesAndBackslashesAreEscaped() {
    assertThat(ImapQuotedString.quote("")).isEqualTo("\"\"");
    assertThat(ImapQuotedString.quote("a \"b\" \\c")).isEqualTo("\"a \\\"b\\\" \\\\c\"");
    assertThat(ImapQuotedString.quote("\t{5}()%*")).isEqualTo("\"\t{5}()%*\"");
  }

  @Test
  void onlySevenBitTextWithoutCrLfAndNulIsRepresentable() {
    assertThat(ImapQuotedString.representable("\u0001 ~\u007f")).isTrue();
    assertThat(ImapQuotedString.representable("a\rb")).isFalse();
    assertThat(ImapQuotedString.representable("a\nb")).isFalse();
    assertThat(ImapQuotedString.representable("a\0b")).isFalse();
    assertThat(ImapQuotedString.representable("K\u00f6ln")).isFalse();
    assertThatThrownBy(() -> ImapQuotedString.quote("a\r\nb")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nilIsTheNstringOfNull() {
    assertThat(ImapQuotedString.nstring(null)).isEqualTo("NIL");
    assertThat(ImapQuotedString.nstring("NIL")).isEqualTo("\"NIL\"");
  }
}
