package io.mailgate.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.AccessLogLines;
import java.time.OffsetDateTime;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Both access-log formats: every field, missing ones, and hostile text that must stay on one parseable line. */
class LineFormatTest {

  private static final long START = 1_796_633_553_123L;

  private static AccessLogEntry entry(String user, String reason) {
    return new AccessLogEntry(START, START + 8123, "5f3a9c0100000007", "imap", "127.0.0.1:1143", "[2001:db8::7]:51234",
        "TLSv1.3", "TLS_AES_128_GCM_SHA256", user, "plain", "ok", "10.0.0.9:143", 1234, 56789, 8123, reason);
  }

  private static AccessLogEntry bare() {
    return new AccessLogEntry(START, START + 5, "5f3a9c0100000008", "smtp", "0.0.0.0:25", "192.0.2.1:4000",
        null, null, null, null, null, null, 0, 0, 5, null);
  }

  private final LineFormat text = new TextLineFormat();
  private final LineFormat json = new JsonLineFormat();

  @Test
  void aTextLineHasEveryFieldInOrder() {
    String line = text.format(entry("alice@example.com", "client closed connection"));
    assertThat(line).endsWith(" 5f3a9c0100000007 imap 127.0.0.1:1143 [2001:db8::7]:51234 TLSv1.3 "
        + "TLS_AES_128_GCM_SHA256 \"alice@example.com\" plain ok 10.0.0.9:143 1234 56789 8123 "
        + "\"client closed connection\"");
    Map<String, String> f = AccessLogLines.text(line);
    assertThat(OffsetDateTime.parse(f.get("time")).toInstant().toEpochMilli()).isEqualTo(START + 8123);
    assertThat(OffsetDateTime.parse(f.get("start")).toInstant().toEpochMilli()).isEqualTo(START);
    assertThat(f.get("user")).isEqualTo("alice@example.com");
    assertThat(f.get("bytes_to_client")).isEqualTo("56789");
  }

  @Test
  void missingValuesAreDashesInTextAndNullsInJson() {
    Map<String, String> t = AccessLogLines.text(text.format(bare()));
    Map<String, String> j = AccessLogLines.json(json.format(bare()));
    for (String field : new String[] {"tls_protocol", "tls_cipher", "user", "mechanism", "result", "backend",
        "close_reason"}) {
      assertThat(t).containsEntry(field, null);
      assertThat(j).containsEntry(field, null);
    }
    assertThat(text.format(bare())).endsWith(" smtp 0.0.0.0:25 192.0.2.1:4000 - - - - - - 0 0 5 -");
    assertThat(j.keySet()).containsExactlyElementsOf(AccessLogLines.FIELDS);
    assertThat(j).containsEntry("bytes_from_client", "0").containsEntry("duration_ms", "5");
  }

  @Test
  void hostileTextStaysOnOneAsciiLineAndReadsBackExactly() {
    String user = "ev\"il\\ \r\n2026-12-07T00:00:00 forged\u0000\u0007\u007f ünï€😀";
    String reason = "upstream connection error (\"bad\"\r\nline)";
    for (LineFormat format : new LineFormat[] {text, json}) {
      String line = format.format(entry(user, reason));
      assertThat(line).doesNotContain("\r", "\n", "\u0000").matches("[\\x20-\\x7e]*");
      Map<String, String> f = format == text ? AccessLogLines.text(line) : AccessLogLines.json(line);
      assertThat(f.get("user")).isEqualTo(user);
      assertThat(f.get("close_reason")).isEqualTo(reason);
      assertThat(f.get("mechanism")).isEqualTo("plain");
    }
    assertThat(text.format(entry(user, reason)))
        .contains("\"ev\\\"il\\\\ \\x0D\\x0A2026-12-07T00:00:00 forged\\x00\\x07\\x7F \\xC3\\xBCn\\xC3\\xAF");
  }

  @Test
  void longUserNamesAreCut() {
    String user = "u".repeat(5000);
    for (LineFormat format : new LineFormat[] {text, json}) {
      String line = format.format(entry(user, "r".repeat(5000)));
      Map<String, String> f = format == text ? AccessLogLines.text(line) : AccessLogLines.json(line);
      assertThat(f.get("user")).isEqualTo("u".repeat(LineFormat.MAX_USER) + "...");
      assertThat(f.get("close_reason")).isEqualTo("r".repeat(LineFormat.MAX_TEXT) + "...");
      assertThat(line.length()).isLessThan(1200);
    }
  }

  @Test
  void aCutNeverSplitsACharacter() {
    String user = "a".repeat(LineFormat.MAX_USER - 1) + "😀tail";
    assertThat(AccessLogLines.json(json.format(entry(user, null))).get("user"))
        .isEqualTo("a".repeat(LineFormat.MAX_USER - 1) + "...");
    assertThat(AccessLogLines.text(text.format(entry(user, null))).get("user"))
        .isEqualTo("a".repeat(LineFormat.MAX_USER - 1) + "😀...");
  }

  @Test
  void spacesInAnUnquotedFieldAreEscaped() {
    AccessLogEntry e = new AccessLogEntry(START, START, "id", "imap", "unix:/run/a b.sock", "unix:", null, null,
        "", null, null, null, 0, 0, 0, "");
    String line = text.format(e);
    assertThat(line).contains(" unix:/run/a\\x20b.sock unix: - - \"\" ");
    Map<String, String> f = AccessLogLines.text(line);
    assertThat(f.get("listener")).isEqualTo("unix:/run/a b.sock");
    assertThat(f.get("user")).isEmpty();
    assertThat(f.get("close_reason")).isEmpty();
  }
}
