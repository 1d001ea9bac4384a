package io.mailgate.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mailgate.tls.TlsParsersFuzzAccess;
import io.mailgate.tls.TlsParsersFuzzAccess.Hello;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The ClientHello peek (ALPN and signature suites, read from untrusted bytes before the handshake) and the
 * {@code ssl_ciphers} expansion: never an exception; a well-formed hello built from fuzzed parts reads back to those
 * parts; a cipher string selects distinct offered suites, and {@code !ALL} after it leaves none (no eNULL suite is
 * offered: OpenSSL's ALL leaves those out).
 */
class TlsParsersFuzzTest {

  private static final int ALPN = 16;
  private static final Set<Integer> ECDSA = Set.of(0xC02B, 0xC02C, 0xCCA9, 0xC009, 0xC00A, 0xC023, 0xC024);
  private static final List<Integer> SUITES = List.of(0xC02B, 0xC02C, 0xCCA9, 0xC009, 0xC02F, 0xC030, 0x009C,
      0x1301, 0x1302, 0x00FF, 0x5600, 0x0A0A, 0x3A3A);
  private static final List<String> OFFERED = List.of("ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
      "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305",
      "ECDHE-RSA-AES128-SHA256", "ECDHE-RSA-AES128-SHA", "DHE-RSA-AES256-GCM-SHA384", "AES128-GCM-SHA256",
      "AES256-SHA", "DES-CBC3-SHA", "RC4-MD5");

  @FuzzTest(maxDuration = "30s")
  void anyHelloBytes(byte[] body) {
    Hello hello = TlsParsersFuzzAccess.clientHello(body);
    hello.alpn().ifPresent(protocols -> {
      int total = 0;
      for (String p : protocols) {
        assertThat(p.length()).isLessThanOrEqualTo(255);
        total += p.length() + 1;
      }
      assertThat(total).isLessThanOrEqualTo(body.length);
    });
  }

  @FuzzTest(maxDuration = "30s")
  void builtHelloReadsBack(FuzzedDataProvider data) {
    List<Integer> suites = new ArrayList<>();
    int suiteCount = data.consumeInt(0, 8);
    for (int i = 0; i < suiteCount; i++) {
      suites.add(data.pickValue(SUITES));
    }
    boolean withAlpn = data.consumeBoolean();
    List<String> protocols = new ArrayList<>();
    int protocolCount = data.consumeInt(0, 4);
    for (int i = 0; i < protocolCount; i++) {
      String p = data.consumeAsciiString(20);
      if (!p.isEmpty()) {
        protocols.add(p);
      }
    }
    byte[] sessionId = data.consumeBytes(32);
    byte[] otherExtension = data.consumeBytes(64);
    Hello hello = TlsParsersFuzzAccess.clientHello(hello(sessionId, suites, otherExtension, withAlpn, protocols));
    assertThat(hello.alpn()).isEqualTo(withAlpn ? java.util.Optional.of(protocols) : java.util.Optional.empty());
    assertThat(hello.ecdsaSuites()).isEqualTo(suites.stream().anyMatch(ECDSA::contains));
    assertThat(hello.otherSuites()).isEqualTo(suites.stream().anyMatch(s -> !ECDSA.contains(s) && !special(s)));
  }

  @FuzzTest(maxDuration = "30s")
  void cipherStringSelectsDistinctOfferedSuites(byte[] input) {
    String rules = new String(input, StandardCharsets.UTF_8);
    List<String> selected = TlsParsersFuzzAccess.expandCiphers(rules, OFFERED);
    assertThat(selected).doesNotHaveDuplicates();
    assertThat(OFFERED).containsAll(selected);
    assertThat(TlsParsersFuzzAccess.expandCiphers(rules + ":!ALL", OFFERED)).isEmpty();
  }

  private static boolean special(int suite) {
    return (suite >> 8) == 0x13 || suite == 0x00FF || suite == 0x5600 || (suite & 0x0F0F) == 0x0A0A;
  }

  /** A ClientHello body: version, random, session id, suites, null compression, an extension, ALPN last. */
  private static byte[] hello(byte[] sessionId, List<Integer> suites, byte[] other, boolean withAlpn,
      List<String> protocols) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(3);
    out.write(3);
    out.writeBytes(new byte[32]);
    out.write(sessionId.length);
    out.writeBytes(sessionId);
    short16(out, suites.size() * 2);
    suites.forEach(s -> short16(out, s));
    out.write(1);
    out.write(0);
    ByteArrayOutputStream extensions = new ByteArrayOutputStream();
    short16(extensions, 0x000A);
    short16(extensions, other.length);
    extensions.writeBytes(other);
    if (withAlpn) {
      ByteArrayOutputStream list = new ByteArrayOutputStream();
      for (String p : protocols) {
        list.write(p.length());
        list.writeBytes(p.getBytes(StandardCharsets.ISO_8859_1));
      }
      short16(extensions, ALPN);
      short16(extensions, list.size() + 2);
      short16(extensions, list.size());
      extensions.writeBytes(list.toByteArray());
    }
    short16(out, extensions.size());
    out.writeBytes(extensions.toByteArray());
    return out.toByteArray();
  }

  private static void short16(ByteArrayOutputStream out, int value) {
    out.write(value >> 8);
    out.write(value);
  }
}
