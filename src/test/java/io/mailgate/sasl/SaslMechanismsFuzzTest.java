package io.mailgate.sasl;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Each SASL mechanism's client payloads (PLAIN, LOGIN, CRAM-MD5, EXTERNAL, XOAUTH2, OAUTHBEARER's GS2 header and
 * kvpairs), through {@link Sasl#start}: the exchanges, {@link LenientBase64} and the message parsers.
 */
class SaslMechanismsFuzzTest {

  private static final Mechanism[] MECHANISMS = {Mechanism.PLAIN, Mechanism.LOGIN, Mechanism.CRAM_MD5,
      Mechanism.EXTERNAL, Mechanism.XOAUTH2, Mechanism.OAUTHBEARER};
  private static final String SALT = "<1896.697170952@mailgate.test>";
  private static final byte[] NUL = {0};
  /** What no login or secret may carry: it could split an auth_http header or a backend command. */
  private static final String LINE_BREAKS_AND_NUL = "\r\n\0";
  private static final byte[] UNSAFE = LINE_BREAKS_AND_NUL.getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_FIELD = 4096;
  private static final int MAX_STEPS = 4;

  /**
   * A well-formed payload built from fuzzed values (the bytes a mechanism cannot carry taken out) gives exactly those
   * credentials, as initial response or after the challenge, with base64 padding or without.
   */
  @FuzzTest(maxDuration = "5s")
  void wellFormedPayloadsGiveTheirValues(FuzzedDataProvider data) {
    Mechanism mechanism = data.pickValue(MECHANISMS);
    boolean initialResponse = data.consumeBoolean();
    boolean padded = data.consumeBoolean();
    boolean fastmailCompat = data.consumeBoolean();
    byte[] user = data.consumeBytes(data.consumeInt(0, MAX_FIELD));
    byte[] secret = data.consumeRemainingAsBytes();
    SaslExchange exchange = Sasl.start(mechanism, new SaslContext(() -> SALT, fastmailCompat));

    Credentials expected;
    SaslStep last;
    switch (mechanism) {
      case PLAIN -> {
        byte[] login = without(user, LINE_BREAKS_AND_NUL);
        byte[] password = without(secret, LINE_BREAKS_AND_NUL);
        // The authzid, ignored like nginx does, reuses the secret's bytes.
        byte[] authzid = without(secret, "\0");
        expected = Credentials.of(mechanism, login, password);
        last = single(exchange, initialResponse, base64(padded, authzid, NUL, login, NUL, password));
      }
      case LOGIN -> {
        byte[] login = without(user, LINE_BREAKS_AND_NUL);
        byte[] password = without(secret, LINE_BREAKS_AND_NUL);
        expected = Credentials.of(mechanism, login, password);
        SaslStep prompt = initialResponse ? exchange.start(Optional.of(base64(padded, login)))
            : answer(exchange.start(Optional.empty()), exchange, LoginExchange.USERNAME_PROMPT, base64(padded, login));
        last = answer(prompt, exchange, LoginExchange.PASSWORD_PROMPT, base64(padded, password));
      }
      case CRAM_MD5 -> {
        byte[] login = without(user, " \r\n\0");
        byte[] digest = HexFormat.of().formatHex(Arrays.copyOf(secret, 16))
            .getBytes(StandardCharsets.US_ASCII);
        expected = new Credentials(mechanism, login, digest, Optional.of(SALT));
        String challenge = Base64.getEncoder().encodeToString(SALT.getBytes(StandardCharsets.US_ASCII));
        last = answer(exchange.start(Optional.empty()), exchange, challenge,
            base64(padded, login, new byte[] {' '}, digest));
      }
      case EXTERNAL -> {
        byte[] authzid = without(user, LINE_BREAKS_AND_NUL);
        expected = Credentials.of(mechanism, authzid, new byte[0]);
        last = initialResponse ? exchange.start(Optional.of(base64(padded, authzid)))
            : answer(exchange.start(Optional.empty()), exchange, LoginExchange.USERNAME_PROMPT,
                base64(padded, authzid));
      }
      case XOAUTH2 -> {
        // The user ends at the first ^A; the token runs to the final ^A^A, so it may hold ^A itself.
        byte[] login = without(user, "\r\n\0\u0001");
        byte[] token = without(secret, LINE_BREAKS_AND_NUL);
        expected = Credentials.of(mechanism, login, token);
        last = single(exchange, initialResponse, text(padded, SaslClientPayloads.xoauth2(login, token)));
      }
      default -> {
        // OAUTHBEARER: the authzid must not be empty, and neither it nor the token may hold ^A (the separator).
        byte[] login = nonEmpty(without(user, "\r\n\0\u0001"));
        byte[] token = nonEmpty(without(secret, "\r\n\0\u0001"));
        expected = Credentials.of(mechanism, login, token);
        last = single(exchange, initialResponse, text(padded, SaslClientPayloads.oauthbearer(login, token)));
      }
    }
    assertThat(last).isEqualTo(new SaslStep.Done(expected));
  }

  /**
   * Any client lines (base64 of fuzzed bytes, or fuzzed text) give a challenge, credentials without CR, LF or NUL and
   * no longer than what was sent, or one of the defined rejections; never an exception.
   */
  @FuzzTest(maxDuration = "5s")
  void anyPayloadGivesCredentialsOrADefinedRejection(FuzzedDataProvider data) {
    Mechanism mechanism = data.pickValue(MECHANISMS);
    SaslExchange exchange = Sasl.start(mechanism, new SaslContext(() -> SALT, data.consumeBoolean()));
    String rejection = "client sent (invalid (base64 encoding|login|password|token|CRAM-MD5 hash)|initial response)"
        + " in AUTH " + mechanism.saslName() + " command";
    Optional<String> initial = data.consumeBoolean() ? Optional.of(clientLine(data)) : Optional.empty();
    SaslStep step = exchange.start(initial);
    int sent = initial.map(String::length).orElse(0);
    for (int i = 0; i < MAX_STEPS && step instanceof SaslStep.Challenge; i++) {
      String line = clientLine(data);
      sent += line.length();
      step = exchange.next(line);
    }
    if (step instanceof SaslStep.Invalid invalid) {
      assertThat(invalid.logMessage()).matches(rejection);
    } else if (step instanceof SaslStep.Done done) {
      Credentials credentials = done.credentials();
      assertThat(credentials.mechanism()).isEqualTo(mechanism);
      assertThat(credentials.login()).doesNotContain(UNSAFE);
      assertThat(credentials.secret()).doesNotContain(UNSAFE);
      assertThat(credentials.salt()).isEqualTo(mechanism == Mechanism.CRAM_MD5 ? Optional.of(SALT) : Optional.empty());
      // Decoded base64 is shorter than its text, and the credentials are parts of what was decoded.
      assertThat(credentials.login().length + credentials.secret().length).isLessThanOrEqualTo(sent);
    } else {
      assertThat(step).isInstanceOf(SaslStep.Challenge.class);
    }
  }

  /** A client line: base64 of fuzzed bytes (to reach the mechanism's parser) or fuzzed text (to reach the decoder). */
  private static String clientLine(FuzzedDataProvider data) {
    boolean encoded = data.consumeBoolean();
    byte[] bytes = data.consumeBytes(data.consumeInt(0, MAX_FIELD));
    return encoded ? Base64.getEncoder().encodeToString(bytes) : new String(bytes, StandardCharsets.ISO_8859_1);
  }

  /** The one message of PLAIN, XOAUTH2, OAUTHBEARER: as initial response, or after the empty challenge. */
  private static SaslStep single(SaslExchange exchange, boolean initialResponse, String message) {
    return initialResponse ? exchange.start(Optional.of(message))
        : answer(exchange.start(Optional.empty()), exchange, "", message);
  }

  /** Answers {@code step}, which must be the challenge {@code expected}, with {@code response}. */
  private static SaslStep answer(SaslStep step, SaslExchange exchange, String expected, String response) {
    assertThat(step).isEqualTo(new SaslStep.Challenge(expected));
    return exchange.next(response);
  }

  private static String base64(boolean padded, byte[]... parts) {
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      message.writeBytes(part);
    }
    return text(padded, Base64.getEncoder().encode(message.toByteArray()));
  }

  /** nginx's decoder takes base64 with or without its padding. */
  private static String text(boolean padded, byte[] base64) {
    String text = new String(base64, StandardCharsets.US_ASCII);
    return padded ? text : text.replace("=", "");
  }

  /** {@code bytes} without any of the (single-byte) characters of {@code forbidden}. */
  private static byte[] without(byte[] bytes, String forbidden) {
    ByteArrayOutputStream kept = new ByteArrayOutputStream(bytes.length);
    for (byte b : bytes) {
      if (forbidden.indexOf(b & 0xff) < 0) {
        kept.write(b);
      }
    }
    return kept.toByteArray();
  }

  private static byte[] nonEmpty(byte[] bytes) {
    return bytes.length == 0 ? new byte[] {'x'} : bytes;
  }
}
