package io.mailgate.interop;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The messages of the matrix: CRLF line ends, an 8-bit UTF-8 body (RFC 6532), trailing spaces, a lone "." and a line
 * starting with "..", which every client must dot-stuff on the way out and unstuff on the way in (RFC 5321 §4.5.2,
 * RFC 1939 §3).
 */
final class InteropMessages {

  private static final AtomicInteger SENT = new AtomicInteger();

  private InteropMessages() {}

  /** The message stored in INBOX before the readers run. */
  static byte[] stored() {
    return message("<interop-stored@mailgate.test>", "stored for the readers");
  }

  /** A new message for one sending case; its Message-ID is unique in the run. */
  static byte[] unique(String label) {
    return message("<interop-" + SENT.incrementAndGet() + "-" + label.replaceAll("[^A-Za-z0-9-]", "-")
        + "@mailgate.test>", label);
  }

  /** The {@code <...>} of a message's Message-ID header. */
  static String messageId(byte[] message) {
    return new String(message, StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("Message-ID: "))
        .map(l -> l.substring("Message-ID: ".length())).findFirst().orElseThrow();
  }

  private static byte[] message(String messageId, String subject) {
    return String.join("\r\n",
        "Date: Mon, 07 Dec 2026 17:45:00 +0000",
        "From: Test User <" + Account.USER + ">",
        "To: Test User <" + Account.USER + ">",
        "Subject: interop " + subject,
        "Message-ID: " + messageId,
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=UTF-8",
        "Content-Transfer-Encoding: 8bit",
        "",
        "Grüße aus Köln — ein Test für mailgate.",
        "Ünïcödé ✓ 日本語 🙂",
        "",
        "Line with trailing spaces   ",
        ".",
        "..two dots",
        "-- ",
        "Test",
        "").getBytes(StandardCharsets.UTF_8);
  }
}
