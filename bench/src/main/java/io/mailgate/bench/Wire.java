package io.mailgate.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/** Small helpers for writing protocol text. */
public final class Wire {

  private Wire() {}

  /** {@code text} in a new buffer from {@code alloc}, byte for byte (ISO-8859-1). */
  public static ByteBuf ascii(ByteBufAllocator alloc, CharSequence text) {
    ByteBuf buf = alloc.buffer(text.length());
    buf.writeCharSequence(text, StandardCharsets.ISO_8859_1);
    return buf;
  }

  /**
   * The IMAP literal a line ends with ({@code {n}} or {@code {n+}}, RFC 3501 §4.3, RFC 7888), or null.
   *
   * @param line a line without its line end
   */
  public static Literal literalAtEnd(String line) {
    int end = line.length() - 1;
    if (end < 2 || line.charAt(end) != '}') {
      return null;
    }
    int digitsEnd = end;
    boolean nonSync = line.charAt(end - 1) == '+';
    if (nonSync) {
      digitsEnd--;
    }
    int open = line.lastIndexOf('{', digitsEnd);
    if (open < 0 || open + 1 == digitsEnd) {
      return null;
    }
    long n = 0;
    for (int i = open + 1; i < digitsEnd; i++) {
      char c = line.charAt(i);
      if (c < '0' || c > '9' || n > Integer.MAX_VALUE) {
        return null;
      }
      n = n * 10 + (c - '0');
    }
    return new Literal(n, nonSync, open);
  }

  /**
   * An IMAP literal announcement.
   *
   * @param length octets that follow the line
   * @param nonSync {@code {n+}}: the sender does not wait for a continuation
   * @param start index of the opening brace in the line
   */
  public record Literal(long length, boolean nonSync, int start) {}
}
