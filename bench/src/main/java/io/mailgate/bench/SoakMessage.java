package io.mailgate.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The soak's messages: RFC 5322 text of an exact size made from a seed, so a run can create as many as it likes and
 * check each one it reads back by its SHA-256 alone. Only printable US-ASCII and CRLF line ends (at most 78 octets a
 * line, RFC 5322 §2.1.1) with no bare CR or LF, no NUL and no 8-bit byte: Dovecot's maildir stores LF line ends and
 * gives CRLF back (mail_save_crlf = no), which round-trips exactly such text and nothing else.
 */
final class SoakMessage {

  /** The body alphabet: no space, no dot, so no line can be read as a header continuation or a dot line. */
  private static final byte[] ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".getBytes(StandardCharsets.US_ASCII);
  private static final int LINE = 76;

  private SoakMessage() {}

  /** The header block for {@code messageId}; the message's size must be at least its length. */
  static byte[] header(String messageId) {
    return ("From: soak@example.com\r\n"
        + "To: soak@example.com\r\n"
        + "Subject: mailgate soak " + messageId + "\r\n"
        + "Message-ID: <" + messageId + "@soak.example.com>\r\n"
        + "Date: Mon, 07 Dec 2026 12:00:00 +0000\r\n"
        + "MIME-Version: 1.0\r\n"
        + "Content-Type: text/plain; charset=us-ascii\r\n"
        + "\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** The smallest size {@link #build} accepts for {@code messageId} (which refuses this size plus one). */
  static int minimumSize(String messageId) {
    return header(messageId).length;
  }

  /**
   * A message of exactly {@code size} octets: the header for {@code messageId}, then lines of pseudo-random
   * characters drawn from {@code seed} (the same arguments always give the same bytes). The caller owns the buffer.
   */
  static ByteBuf build(ByteBufAllocator alloc, String messageId, long seed, int size) {
    byte[] head = header(messageId);
    if (size < head.length || size == head.length + 1) {
      // One octet after the header cannot end in CRLF.
      throw new IllegalArgumentException("a message for " + messageId + " is " + head.length + " bytes or at least "
          + (head.length + 2));
    }
    ByteBuf out = alloc.buffer(size, size);
    try {
      out.writeBytes(head);
      byte[] line = new byte[LINE + 2];
      long state = seed;
      int remaining = size - head.length;
      while (remaining > 0) {
        int n = Math.min(LINE, remaining - 2);
        if (remaining - (n + 2) == 1) {
          n--; // one octet cannot hold a line end: leave two for an empty last line
        }
        for (int i = 0; i < n; i += 10) {
          state += 0x9E3779B97F4A7C15L;
          long z = mix(state);
          for (int k = 0; k < 10 && i + k < n; k++) {
            line[i + k] = ALPHABET[(int) (z & 63)];
            z >>>= 6;
          }
        }
        line[n] = '\r';
        line[n + 1] = '\n';
        out.writeBytes(line, 0, n + 2);
        remaining -= n + 2;
      }
      return out;
    } catch (RuntimeException e) {
      out.release();
      throw e;
    }
  }

  /** SHA-256 of the buffer's readable bytes (the buffer is not changed). */
  static byte[] sha256(ByteBuf buf) {
    MessageDigest md = newDigest();
    md.update(buf.nioBuffer());
    return md.digest();
  }

  /** A fresh SHA-256 digest. */
  static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether two digests are equal. */
  static boolean same(byte[] a, byte[] b) {
    return Arrays.equals(a, b);
  }

  /** SplitMix64's finaliser. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
