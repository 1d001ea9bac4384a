package io.mailgate.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The demo store's small parsers: sequence sets, LIST patterns, FETCH items, SASL responses, arguments. */
class DemoProtocolPartsTest {

  @Test
  void sequenceSetsResolveRangesAndTheStar() throws DemoSyntaxException {
    SequenceSet set = SequenceSet.parse("1,3:4,9:*", 7);
    assertThat(List.of(1L, 3L, 4L, 7L, 8L, 9L)).allMatch(set::contains);
    assertThat(set.contains(2)).isFalse();
    assertThat(set.contains(10)).isFalse();
    assertThat(set.max()).isEqualTo(9);
    assertThat(SequenceSet.parse("*", 5).contains(5)).isTrue();
    for (String invalid : List.of("", "0", "1,", "a", "1:", "01", "4294967296", ":2")) {
      assertThatThrownBy(() -> SequenceSet.parse(invalid, 5)).as(invalid).isInstanceOf(DemoSyntaxException.class);
    }
  }

  @Test
  void listPatternsMatchTheInboxInAnyCase() {
    for (String match : List.of("*", "%", "INBOX", "inbox", "In*", "*x", "I%O%", "**%*")) {
      assertThat(MailboxPattern.matchesInbox(match)).as(match).isTrue();
    }
    for (String noMatch : List.of("", "INBOX/*", "INBOXES", "Sent", "*/%", "INBO")) {
      assertThat(MailboxPattern.matchesInbox(noMatch)).as(noMatch).isFalse();
    }
  }

  @Test
  void fetchItemsParseSingleListedAndMacroForms() throws DemoSyntaxException {
    assertThat(FetchItem.parseList("body[]")).containsExactly(new FetchItem(FetchItem.Kind.BODY, "", false, -1, 0));
    assertThat(FetchItem.parseList("(UID BODY.PEEK[HEADER]<0.100> RFC822.SIZE)")).containsExactly(
        new FetchItem(FetchItem.Kind.UID, "", false, -1, 0),
        new FetchItem(FetchItem.Kind.BODY, "HEADER", true, 0, 100),
        new FetchItem(FetchItem.Kind.RFC822_SIZE, "", false, -1, 0));
    assertThat(FetchItem.parseList("FAST")).extracting(FetchItem::kind).containsExactly(
        FetchItem.Kind.FLAGS, FetchItem.Kind.INTERNALDATE, FetchItem.Kind.RFC822_SIZE);
    assertThat(FetchItem.parseList("(RFC822 RFC822.TEXT RFC822.HEADER BODY.PEEK[TEXT] BODY[])"))
        .extracting(FetchItem::setsSeen).containsExactly(true, true, false, false, true);
    for (String invalid : List.of("UID FLAGS", "(UID", "BODY[HEADER.FIELDS (FROM)]", "ENVELOPE", "BODY[]<1>",
        "BODY[]<1.0>", "BODY[", "()", "ALL")) {
      assertThatThrownBy(() -> FetchItem.parseList(invalid)).as(invalid).isInstanceOf(DemoSyntaxException.class);
    }
  }

  @Test
  void messagesSplitIntoHeaderAndTextAtTheFirstEmptyLine() {
    DemoMessage crlf = DemoMessage.of(1, ascii("A: 1\r\nB: 2\r\n\r\nbody\r\n\r\nmore"));
    assertThat(new String(crlf.section("HEADER"), StandardCharsets.US_ASCII)).isEqualTo("A: 1\r\nB: 2\r\n\r\n");
    assertThat(new String(crlf.section("TEXT"), StandardCharsets.US_ASCII)).isEqualTo("body\r\n\r\nmore");
    assertThat(DemoMessage.of(1, ascii("A: 1\n\nbody")).headerLength()).isEqualTo(6);
    assertThat(DemoMessage.of(1, ascii("A: 1\r\n")).headerLength()).isEqualTo(6);
    assertThat(crlf.section("MIME")).isNull();
  }

  @Test
  void plainResponsesNeedThreePartsAndAMatchingAuthzid() {
    assertThat(DemoSasl.plain(ascii("\0u\0p"))).contains(new DemoSasl.Credentials("u", "p"));
    assertThat(DemoSasl.plain(ascii("u\0u\0p w"))).contains(new DemoSasl.Credentials("u", "p w"));
    assertThat(DemoSasl.plain(ascii("x\0u\0p"))).isEmpty();
    assertThat(DemoSasl.plain(ascii("\0\0p"))).isEmpty();
    assertThat(DemoSasl.plain(ascii("u\0p"))).isEmpty();
  }

  @Test
  void bearerResponsesYieldTheUserAndTheToken() {
    assertThat(DemoSasl.bearer("OAUTHBEARER", ascii("n,a=a=2Cb=3Dc@d,\u0001host=h\u0001auth=bearer T.1\u0001\u0001")))
        .contains(new DemoSasl.Credentials("a,b=c@d", "T.1"));
    assertThat(DemoSasl.bearer("OAUTHBEARER", ascii("n,,\u0001auth=Bearer t\u0001\u0001")))
        .contains(new DemoSasl.Credentials("", "t"));
    assertThat(DemoSasl.bearer("XOAUTH2", ascii("user=u@d\u0001auth=Bearer t\u0001\u0001")))
        .contains(new DemoSasl.Credentials("u@d", "t"));
    assertThat(DemoSasl.bearer("OAUTHBEARER", ascii("n,a=u,\u0001auth=Bearer t\u0001"))).isEmpty();
    assertThat(DemoSasl.bearer("OAUTHBEARER", ascii("p=x,a=u,\u0001auth=Bearer t\u0001\u0001"))).isEmpty();
    assertThat(DemoSasl.bearer("OAUTHBEARER", ascii("n,a=u,\u0001auth=Basic t\u0001\u0001"))).isEmpty();
    assertThat(DemoSasl.bearer("XOAUTH2", ascii("auth=Bearer t\u0001\u0001"))).isEmpty();
  }

  @Test
  void credentialsNeverPrintTheSecret() {
    assertThat(new DemoSasl.Credentials("u", "hunter2").toString()).doesNotContain("hunter2").contains("u");
  }

  @Test
  void argumentsReadAtomsQuotedStringsAndLiterals() throws DemoSyntaxException {
    DemoRequest request = new DemoRequest(
        List.of(ascii("t LOGIN "), ascii(" \"q\\\"x\\\\\" atom")), List.of(ascii("lit\u00e9")), false);
    DemoArgs args = new DemoArgs(request);
    assertThat(args.word()).isEqualTo("t");
    args.space();
    assertThat(args.word()).isEqualTo("LOGIN");
    args.space();
    assertThat(args.astring()).isEqualTo(new String(ascii("lit\u00e9"), StandardCharsets.UTF_8));
    args.space();
    assertThat(args.astring()).isEqualTo("q\"x\\");
    args.space();
    assertThat(args.astring()).isEqualTo("atom");
    args.end();
    DemoArgs broken = new DemoArgs(new DemoRequest(List.of(ascii("\"a\\b\"")), List.of(), false));
    assertThatThrownBy(broken::astring).isInstanceOf(DemoSyntaxException.class);
    DemoArgs open = new DemoArgs(new DemoRequest(List.of(ascii("\"abc")), List.of(), false));
    assertThatThrownBy(open::astring).hasMessage("unterminated quoted string");
  }

  @Test
  void crlfRepairsBareLineEndsAndKeepsTheRest() {
    assertThat(DemoMessages.crlf(ascii("a\nb\r\nc\rd\r"))).isEqualTo(ascii("a\r\nb\r\nc\r\nd\r\n"));
    assertThat(DemoMessages.crlf(DemoMessages.welcome())).isEqualTo(DemoMessages.welcome());
    assertThat(new String(DemoMessages.welcome(), StandardCharsets.US_ASCII)).contains("\r\n\r\n")
        .doesNotContain("\n\n").endsWith("\r\n");
  }

  @Test
  void theBearerCapabilitiesFollowTheTokenCheck() {
    DemoStoreSettings without = DemoMailStore.settings(java.util.Map.of(), List.of(), Optional.empty(),
        java.time.Duration.ofMinutes(5));
    DemoStoreSettings with = DemoMailStore.settings(java.util.Map.of(), List.of(), Optional.of(t -> true),
        java.time.Duration.ofMinutes(5));
    assertThat(without.capabilities()).isEqualTo("IMAP4rev1 LITERAL+ AUTH=PLAIN");
    assertThat(with.capabilities()).isEqualTo("IMAP4rev1 LITERAL+ AUTH=PLAIN AUTH=OAUTHBEARER AUTH=XOAUTH2");
    assertThat(without.internalDate()).matches("\\d\\d-[A-Z][a-z]{2}-\\d{4} \\d\\d:\\d\\d:\\d\\d [+-]\\d{4}");
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
