package io.mailgate.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImapIdListTest {

  private static List<byte[]> args(String... words) {
    List<byte[]> list = new ArrayList<>();
    for (String word : words) {
      list.add(word.getBytes(StandardCharsets.ISO_8859_1));
    }
    return list;
  }

  private static ImapIdList valid(String... words) {
    ImapIdList.Parsed parsed = ImapIdList.parse(args(words));
    assertThat(parsed).isInstanceOf(ImapIdList.Valid.class);
    return ((ImapIdList.Valid) parsed).list();
  }

  private static String malformed(String... words) {
    ImapIdList.Parsed parsed = ImapIdList.parse(args(words));
    assertThat(parsed).isInstanceOf(ImapIdList.Malformed.class);
    return ((ImapIdList.Malformed) parsed).reason();
  }

  @Test
  void pairsKeepTheirOrderAndNilValuesAreNull() {
    assertThat(valid("(", "name", "Thunderbird", "os", "NIL", "version", "115.0", ")").fields()).containsExactly(
        new ImapIdList.Field("name", "Thunderbird"), new ImapIdList.Field("os", null),
        new ImapIdList.Field("version", "115.0"));
  }

  @Test
  void nilAndTheEmptyListHaveNoFields() {
    assertThat(valid("NIL")).isEqualTo(ImapIdList.NIL);
    assertThat(valid("nil")).isEqualTo(ImapIdList.NIL);
    assertThat(valid("(", ")")).isEqualTo(ImapIdList.NIL);
  }

  @Test
  void parenthesesInsideTheListAreStrings() {
    // The parser only gives "(" and ")" at the ends as the list's own; inside, they were quoted strings.
    assertThat(valid("(", "(", ")", ")").fields()).containsExactly(new ImapIdList.Field("(", ")"));
  }

  @Test
  void octetsArePassedOnOneCharEach() {
    ImapIdList.Parsed parsed = ImapIdList.parse(List.of(ImapCommandParser.OPEN, "n".getBytes(StandardCharsets.US_ASCII),
        "K\u00f6ln".getBytes(StandardCharsets.UTF_8), ImapCommandParser.CLOSE));
    assertThat(((ImapIdList.Valid) parsed).list().fields().get(0).value()).isEqualTo("K\u00c3\u00b6ln");
  }

  @Test
  void malformedListsAreRefusedWithAReasonThatQuotesNothing() {
    assertThat(malformed()).isEqualTo("ID takes a parenthesised list or NIL");
    assertThat(malformed("foo")).isEqualTo("ID takes a parenthesised list or NIL");
    assertThat(malformed("NIL", "x")).isEqualTo("ID takes a parenthesised list or NIL");
    assertThat(malformed("(", "name", "x")).isEqualTo("ID takes a parenthesised list or NIL");
    assertThat(malformed("(", "name", ")")).isEqualTo("ID field without a value");
    assertThat(malformed("(", "NIL", "x", ")")).isEqualTo("NIL as an ID field name");
  }

  @Test
  void rfc2971LimitsAreEnforced() {
    assertThat(valid("(", "f".repeat(30), "v".repeat(1024), ")").fields()).hasSize(1);
    assertThat(malformed("(", "f".repeat(31), "v", ")")).isEqualTo("ID field name longer than 30 octets");
    assertThat(malformed("(", "f", "v".repeat(1025), ")")).isEqualTo("ID value longer than 1024 octets");
    List<String> thirty = new ArrayList<>(List.of("("));
    for (int i = 0; i < 30; i++) {
      thirty.add("f" + i);
      thirty.add("v");
    }
    thirty.add(")");
    assertThat(valid(thirty.toArray(String[]::new)).fields()).hasSize(30);
    thirty.add(thirty.size() - 1, "f30");
    thirty.add(thirty.size() - 1, "v");
    assertThat(malformed(thirty.toArray(String[]::new))).isEqualTo("more than 30 ID fields");
  }

  @Test
  void theWireFormIsNilOrAListOfQuotedStrings() {
    assertThat(ImapIdList.NIL.wire()).isEqualTo("NIL");
    assertThat(ImapIdList.ofPairs(List.of("name", "mail\"gate", "path", "C:\\x")).wire())
        .isEqualTo("(\"name\" \"mail\\\"gate\" \"path\" \"C:\\\\x\")");
    assertThat(new ImapIdList(List.of(new ImapIdList.Field("os", null))).wire()).isEqualTo("(\"os\" NIL)");
  }

  @Test
  void toStringShowsNoValues() {
    assertThat(ImapIdList.ofPairs(List.of("name", "secret-device")).toString()).doesNotContain("secret");
  }
}
