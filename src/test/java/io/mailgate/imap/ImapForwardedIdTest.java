package io.mailgate.imap;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.unix.DomainSocketAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImapForwardedIdTest {

  private static final InetSocketAddress CLIENT = new InetSocketAddress("192.0.2.9", 4711);
  private static final InetSocketAddress CONNECTED = new InetSocketAddress("198.51.100.1", 993);
  private static final String OWN = "\"x-originating-ip\" \"192.0.2.9\" \"x-originating-port\" \"4711\""
      + " \"x-connected-ip\" \"198.51.100.1\" \"x-connected-port\" \"993\" \"x-session-id\" \"0123456789abcdef\"";

  private final List<String> debug = new ArrayList<>();

  private String forward(ImapIdList client) {
    return ImapForwardedId.of(client, CLIENT, CONNECTED, "0123456789abcdef", ImapBackendLogin.ID_COMMAND_OVERHEAD,
        debug::add).wire();
  }

  @Test
  void withoutAClientIdOnlyMailgatesFieldsAreSent() {
    assertThat(forward(ImapIdList.NIL)).isEqualTo("(" + OWN + ")");
    assertThat(debug).isEmpty();
  }

  @Test
  void theClientsFieldsComeFirstInTheirOrder() {
    assertThat(forward(ImapIdList.ofPairs(List.of("name", "Thunderbird", "version", "115.0"))))
        .isEqualTo("(\"name\" \"Thunderbird\" \"version\" \"115.0\" " + OWN + ")");
  }

  @Test
  void reservedFieldsAClientCouldSpoofAreDroppedWhateverTheirCase() {
    List<String> pairs = List.of("X-Originating-IP", "10.0.0.1", "x-originating-port", "1",
        "x-connected-ip", "10.0.0.2", "X-CONNECTED-PORT", "2", "x-proxy-ttl", "9", "x-session-id", "forged",
        "x-session-ext-id", "forged",
        "x-forward-user", "admin", "name", "ok");
    assertThat(forward(ImapIdList.ofPairs(pairs))).isEqualTo("(\"name\" \"ok\" " + OWN + ")");
    assertThat(debug).hasSize(8).allMatch(line -> line.endsWith(": only mailgate sets it"))
        .contains("not forwarding the client's ID field \"X-Originating-IP\": only mailgate sets it")
        .noneMatch(line -> line.contains("10.0.0.1") || line.contains("forged") || line.contains("admin"));
  }

  @Test
  void valuesThatCannotBeQuotedAreDroppedAndLoggedWithoutTheValue() {
    ImapIdList client = new ImapIdList(List.of(new ImapIdList.Field("os", "Linux\r\na2 LOGOUT"),
        new ImapIdList.Field("vendor", "K\u00c3\u00b6ln"), new ImapIdList.Field("na\nme", "x"),
        new ImapIdList.Field("name", null), new ImapIdList.Field("quoted", "a\"b\\c")));
    assertThat(forward(client)).isEqualTo("(\"name\" NIL \"quoted\" \"a\\\"b\\\\c\" " + OWN + ")");
    assertThat(debug).containsExactly(
        "not forwarding the client's ID field \"os\": CR, LF, NUL or 8-bit octets do not fit in a quoted string",
        "not forwarding the client's ID field \"vendor\": CR, LF, NUL or 8-bit octets do not fit in a quoted string",
        "not forwarding the client's ID field \"na\\x0Ame\": CR, LF, NUL or 8-bit octets do not fit in a quoted"
            + " string");
  }

  @Test
  void atMostThirtyPairsGoOutMailgatesIncluded() {
    List<String> pairs = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      pairs.add("f" + i);
      pairs.add("v");
    }
    ImapIdList sent = ImapForwardedId.of(ImapIdList.ofPairs(pairs), CLIENT, CONNECTED, "0123456789abcdef",
        ImapBackendLogin.ID_COMMAND_OVERHEAD, debug::add);
    assertThat(sent.fields()).hasSize(30);
    assertThat(sent.fields().get(24).name()).isEqualTo("f24");
    assertThat(sent.fields().get(25).name()).isEqualTo("x-originating-ip");
    assertThat(debug).hasSize(5).allMatch(line -> line.endsWith(": more than 30 ID fields in all"));
  }

  @Test
  void theCommandStaysWithinFourThousandOctets() {
    List<String> pairs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      pairs.add("f" + i);
      pairs.add("v".repeat(1024));
    }
    ImapIdList sent = ImapForwardedId.of(ImapIdList.ofPairs(pairs), CLIENT, CONNECTED, "0123456789abcdef",
        ImapBackendLogin.ID_COMMAND_OVERHEAD, debug::add);
    String command = ImapBackendLogin.idCommand(sent);
    assertThat(command.length()).isLessThanOrEqualTo(ImapForwardedId.MAX_LINE_OCTETS);
    assertThat(sent.fields()).hasSize(3 + 5);
    assertThat(debug).hasSize(7).allMatch(line -> line.endsWith(": the ID command would exceed 4000 octets"));
  }

  @Test
  void aClientOnAUnixSocketHasNoAddressFields() {
    ImapIdList sent = ImapForwardedId.of(ImapIdList.NIL, new DomainSocketAddress("/run/mailgate.sock"),
        new DomainSocketAddress("/run/mailgate.sock"), "0123456789abcdef", ImapBackendLogin.ID_COMMAND_OVERHEAD,
        debug::add);
    assertThat(sent.wire()).isEqualTo("(\"x-session-id\" \"0123456789abcdef\")");
  }

  @Test
  void ipv6AddressesAreInTheirShortForm() {
    ImapIdList sent = ImapForwardedId.of(ImapIdList.NIL, new InetSocketAddress("2001:db8:0:0:0:0:0:1", 50000),
        new InetSocketAddress("::1", 143), "0123456789abcdef", ImapBackendLogin.ID_COMMAND_OVERHEAD, debug::add);
    assertThat(sent.wire()).isEqualTo("(\"x-originating-ip\" \"2001:db8::1\" \"x-originating-port\" \"50000\""
        + " \"x-connected-ip\" \"::1\" \"x-connected-port\" \"143\" \"x-session-id\" \"0123456789abcdef\")");
  }
}
