package io.mailgate.sasl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Shared helpers: tables spell control bytes as ^@ (NUL), ^A (0x01), ^M (CR) and ^J (LF). */
final class SaslTestSupport {

  private SaslTestSupport() {}

  /** The raw message a table row describes. */
  static String raw(String spelled) {
    return spelled.replace("^@", "\0").replace("^A", "\u0001").replace("^M", "\r").replace("^J", "\n");
  }

  /** base64 of the UTF-8 bytes of the spelled message, as a well-behaved client sends it. */
  static String b64(String spelled) {
    return Base64.getEncoder().encodeToString(raw(spelled).getBytes(StandardCharsets.UTF_8));
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The credentials of a step that must be Done. */
  static Credentials done(SaslStep step) {
    assertThat(step).isInstanceOf(SaslStep.Done.class);
    return ((SaslStep.Done) step).credentials();
  }

  /** The log message of a step that must be Invalid. */
  static String invalid(SaslStep step) {
    assertThat(step).isInstanceOf(SaslStep.Invalid.class);
    return ((SaslStep.Invalid) step).logMessage();
  }

  /** The payload of a step that must be a Challenge. */
  static String challenge(SaslStep step) {
    assertThat(step).isInstanceOf(SaslStep.Challenge.class);
    return ((SaslStep.Challenge) step).payload();
  }
}
