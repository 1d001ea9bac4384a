package io.mailgate.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * A syntactically plain RFC 5322 message of an exact size: a few headers, then 76-character lines. No line starts
 * with a dot, so the same bytes serve IMAP literals, POP3 RETR and SMTP DATA without dot-stuffing, and the message
 * always ends in CRLF (sizes of 2 bytes and up; below the header's size it is a truncated header).
 */
public final class MessageBody {

  private static final String HEADER = "From: Benchmark Sender <sender@example.com>\r\n"
      + "To: Benchmark Receiver <receiver@example.com>\r\n"
      + "Subject: mailgate benchmark message\r\n"
      + "Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n"
      + "Message-ID: <bench-1@example.com>\r\n"
      + "MIME-Version: 1.0\r\n"
      + "Content-Type: text/plain; charset=us-ascii\r\n"
      + "\r\n";
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

  private MessageBody() {}

  /** The message's bytes. */
  public static byte[] bytes(int size) {
    byte[] out = new byte[size];
    byte[] header = HEADER.getBytes(StandardCharsets.US_ASCII);
    int pos = Math.min(header.length, size);
    System.arraycopy(header, 0, out, 0, pos);
    int column = 0;
    int k = 0;
    while (pos < size) {
      if (column == 76) {
        out[pos++] = '\r';
        if (pos < size) {
          out[pos++] = '\n';
        }
        column = 0;
      } else {
        out[pos++] = (byte) ALPHABET.charAt(k++ % ALPHABET.length());
        column++;
      }
    }
    if (size >= 2) {
      out[size - 2] = '\r';
      out[size - 1] = '\n';
      // If a line break was cut in half, the CR before the new one would leave "\r\r\n": make it a letter.
      if (size >= 3 && out[size - 3] == '\r') {
        out[size - 3] = 'x';
      }
    }
    return out;
  }

  /**
   * The message in a direct buffer, for sending with {@code retainedDuplicate()} per write: the bytes are built
   * once and the kernel copies them from the same memory every time.
   */
  public static ByteBuf directBuffer(int size) {
    byte[] b = bytes(size);
    return Unpooled.directBuffer(Math.max(size, 1)).writeBytes(b);
  }
}
