package io.mailgate.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mailgate.codec.SplitFeed;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The quoted strings the proxy writes ({@link ImapQuotedString}): an IMAP parser reads back exactly the text. */
class ImapQuotedStringFuzzTest {

  @FuzzTest(maxDuration = "5s")
  void quotedTextParsesBackToItself(byte[] input) {
    String text = new String(input, StandardCharsets.ISO_8859_1);
    boolean representable = text.chars().allMatch(c -> c >= 0x01 && c <= 0x7F && c != '\r' && c != '\n');
    assertThat(ImapQuotedString.representable(text)).isEqualTo(representable);
    if (!representable) {
      assertThatThrownBy(() -> ImapQuotedString.quote(text)).isInstanceOf(IllegalArgumentException.class);
      return;
    }
    String line = "a LOGIN " + ImapQuotedString.quote(text) + " " + ImapQuotedString.nstring(null) + "\r\n";
    List<Object> events = SplitFeed.fedWhole(new ImapCommandParser(1 << 20, 1 << 20, ImapProtocol.KNOWN_COMMANDS),
        line.getBytes(StandardCharsets.ISO_8859_1), request -> false);
    assertThat(events).containsExactly(new ImapRequest.Command("a", "LOGIN", List.of(input, "NIL".getBytes(
        StandardCharsets.US_ASCII))));
  }
}
