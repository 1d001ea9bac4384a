package io.mailgate.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mailgate.auth.AuthResponseFuzzAccess;
import io.mailgate.auth.AuthResponseFuzzAccess.Outcome;
import io.mailgate.auth.AuthResult;
import io.mailgate.backend.BackendTarget;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The auth_http response parser and interpreter on any bytes in any fragmentation: an {@link AuthResult} or a defined
 * parser error, the head cap holding, the same answer however the bytes were split; an Accepted answer names a usable
 * backend; the Auth-Pass and Auth-User values never reach an Unavailable reason (it goes to the error log).
 */
class AuthResponseFuzzTest {

  private static final String PEER = "127.0.0.1:9000";
  private static final String PASS = "Fz-Pass-7c41e9";
  private static final String USER = "Fz-User-2b9d05";

  @FuzzTest(maxDuration = "30s")
  void anyBytesAnySplit(FuzzedDataProvider data) {
    boolean injectSecrets = data.consumeBoolean();
    int cuts = data.consumeInt(0, 16);
    List<Integer> cutPoints = new ArrayList<>();
    for (int i = 0; i < cuts; i++) {
      cutPoints.add(data.consumeInt(0, 1 << 16));
    }
    byte[] fuzzed = data.consumeRemainingAsBytes();
    byte[] input = injectSecrets ? withSecretHeaders(fuzzed) : fuzzed;

    Outcome whole = AuthResponseFuzzAccess.read(List.of(input), PEER);
    Outcome split = AuthResponseFuzzAccess.read(fragments(input, cutPoints), PEER);
    assertThat(split).isEqualTo(whole);

    assertThat(whole.consumed()).isBetween(0, Math.min(input.length, AuthResponseFuzzAccess.MAX_HEAD_BYTES));
    assertThat(whole.status()).isIn("NEED_MORE", "DONE", "INVALID_RESPONSE", "INVALID_HEADER", "TOO_LARGE");
    if (whole.status().equals("TOO_LARGE")) {
      assertThat(whole.consumed()).isEqualTo(AuthResponseFuzzAccess.MAX_HEAD_BYTES);
    }
    if (whole.status().equals("NEED_MORE")) {
      assertThat(whole.consumed()).isEqualTo(input.length);
    }
    assertThat(whole.result().isPresent()).isEqualTo(whole.status().equals("DONE"));
    whole.result().ifPresent(result -> checkResult(result, injectSecrets, fuzzed));
  }

  private static void checkResult(AuthResult result, boolean injectedSecrets, byte[] fuzzed) {
    if (result instanceof AuthResult.Accepted accepted) {
      BackendTarget backend = accepted.backend();
      assertThat(backend.addresses()).hasSize(1);
      InetSocketAddress address = backend.first();
      assertThat(address.getPort()).isBetween(1, 65535);
      if (address.isUnresolved()) {
        assertThat(AuthResponseFuzzAccess.isHostName(address.getHostString())).isTrue();
        assertThat(backend.hostName()).contains(address.getHostString());
      } else {
        assertThat(address.getAddress()).isNotNull();
      }
      assertThat(accepted.toString()).doesNotContain(PASS);
    } else if (result instanceof AuthResult.Unavailable unavailable) {
      assertThat(unavailable.reason()).startsWith("auth http server " + PEER + " ");
      String original = new String(fuzzed, StandardCharsets.ISO_8859_1);
      if (injectedSecrets && !original.contains(PASS)) {
        assertThat(unavailable.reason()).doesNotContain(PASS);
      }
      if (injectedSecrets && !original.contains(USER)) {
        assertThat(unavailable.reason()).doesNotContain(USER);
      }
    } else if (result instanceof AuthResult.Rejected rejected) {
      assertThat(rejected.message()).doesNotContain("\r", "\n", "\0");
      rejected.errorCode().ifPresent(c -> assertThat(c).matches("[0-9]{3}( [0-9]\\.[0-9]{1,3}\\.[0-9]{1,3})?"));
      rejected.authWait().ifPresent(w -> assertThat(w.isNegative()).isFalse());
    } else if (result instanceof AuthResult.Retry retry) {
      retry.authWait().ifPresent(w -> assertThat(w.isNegative()).isFalse());
    }
  }

  /** The fuzzed bytes after an Auth-User and an Auth-Pass header, so the interpreter has secrets to leak. */
  private static byte[] withSecretHeaders(byte[] fuzzed) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(("HTTP/1.0 200 OK\r\nAuth-User: " + USER + "\r\nAuth-Pass: " + PASS + "\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(fuzzed);
    return out.toByteArray();
  }

  /** {@code input} cut at the given offsets (taken modulo its length), in order; every byte kept. */
  private static List<byte[]> fragments(byte[] input, List<Integer> cutPoints) {
    List<Integer> cuts = new ArrayList<>();
    for (int c : cutPoints) {
      cuts.add(input.length == 0 ? 0 : c % (input.length + 1));
    }
    cuts.add(input.length);
    cuts.sort(Integer::compare);
    List<byte[]> out = new ArrayList<>();
    int from = 0;
    for (int to : cuts) {
      byte[] piece = new byte[to - from];
      System.arraycopy(input, from, piece, 0, piece.length);
      out.add(piece);
      from = to;
    }
    return out;
  }
}
