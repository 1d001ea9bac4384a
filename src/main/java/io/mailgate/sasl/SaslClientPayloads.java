package io.mailgate.sasl;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * The client side of the bearer-token mechanisms, for logging the proxy in to a backend with the client's own token:
 * the initial responses as base64 (ready for a command line or a continuation line) and the dummy response that ends
 * an error challenge. The plain message is built in one exactly sized buffer, wiped once encoded.
 */
public final class SaslClientPayloads {

  private static final byte[] XOAUTH2_USER = "user=".getBytes(StandardCharsets.US_ASCII);
  /** RFC 7628 §3.1: no channel binding, the user as authzid. */
  private static final byte[] GS2_HEADER = "n,a=".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] BEARER = "auth=Bearer ".getBytes(StandardCharsets.US_ASCII);
  /** RFC 7628 §3.2.3: the client answers an error challenge with a single ^A, base64 {@code AQ==}. */
  private static final byte[] OAUTHBEARER_ERROR_ACK = "AQ==".getBytes(StandardCharsets.US_ASCII);

  private SaslClientPayloads() {}

  /**
   * XOAUTH2 ({@code user=<user>^Aauth=Bearer <token>^A^A}, developers.google.com/gmail/imap/xoauth2-protocol), base64.
   */
  public static byte[] xoauth2(byte[] user, byte[] token) {
    Builder message = new Builder(XOAUTH2_USER.length + user.length + 1 + BEARER.length + token.length + 2);
    message.put(XOAUTH2_USER).put(user).put(SaslBytes.CTRL_A);
    return message.put(BEARER).put(token).put(SaslBytes.CTRL_A).put(SaslBytes.CTRL_A).encodeAndWipe();
  }

  /**
   * RFC 7628 §3.1 OAUTHBEARER with the user as authzid ({@code n,a=<saslname>,^Aauth=Bearer <token>^A^A}), base64.
   * The user is escaped as an RFC 5801 saslname: {@code ,} is {@code =2C} and {@code =} is {@code =3D}.
   */
  public static byte[] oauthbearer(byte[] user, byte[] token) {
    int escapes = 0;
    for (byte b : user) {
      if (b == ',' || b == '=') {
        escapes++;
      }
    }
    Builder message = new Builder(GS2_HEADER.length + user.length + 2 * escapes + 2 + BEARER.length + token.length + 2);
    message.put(GS2_HEADER);
    for (byte b : user) {
      if (b == ',') {
        message.put((byte) '=').put((byte) '2').put((byte) 'C');
      } else if (b == '=') {
        message.put((byte) '=').put((byte) '3').put((byte) 'D');
      } else {
        message.put(b);
      }
    }
    message.put((byte) ',').put(SaslBytes.CTRL_A);
    return message.put(BEARER).put(token).put(SaslBytes.CTRL_A).put(SaslBytes.CTRL_A).encodeAndWipe();
  }

  /** The base64 initial response of {@code mechanism}, which must be XOAUTH2 or OAUTHBEARER. */
  public static byte[] initialResponse(Mechanism mechanism, byte[] user, byte[] token) {
    if (mechanism == Mechanism.XOAUTH2) {
      return xoauth2(user, token);
    }
    if (mechanism == Mechanism.OAUTHBEARER) {
      return oauthbearer(user, token);
    }
    throw new IllegalArgumentException("not a bearer-token mechanism: " + mechanism.saslName());
  }

  /**
   * What the client sends after an error challenge to get the final failure reply: {@code AQ==} for OAUTHBEARER
   * (RFC 7628 §3.2.3), an empty line for XOAUTH2 (as Google documents it).
   */
  public static byte[] errorChallengeAck(Mechanism mechanism) {
    return mechanism == Mechanism.OAUTHBEARER ? OAUTHBEARER_ERROR_ACK.clone() : new byte[0];
  }

  /** An exactly sized message buffer. */
  private static final class Builder {
    private final byte[] bytes;
    private int length;

    Builder(int size) {
      bytes = new byte[size];
    }

    Builder put(byte[] part) {
      System.arraycopy(part, 0, bytes, length, part.length);
      length += part.length;
      return this;
    }

    Builder put(byte b) {
      bytes[length++] = b;
      return this;
    }

    byte[] encodeAndWipe() {
      try {
        return Base64.getEncoder().encode(bytes);
      } finally {
        Arrays.fill(bytes, (byte) 0);
      }
    }
  }
}
