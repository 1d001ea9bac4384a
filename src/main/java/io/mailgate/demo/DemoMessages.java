package io.mailgate.demo;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Messages for the demo mail store: the built-in welcome message, and line-end repair for messages read from files. */
public final class DemoMessages {

  private DemoMessages() {}

  /** The demo INBOX's welcome message (RFC 5322, CRLF line ends, ASCII), the same bytes on every run. */
  public static byte[] welcome() {
    String text = String.join("\r\n",
        "Date: Mon, 01 Jan 2024 00:00:00 +0000",
        "From: mailgate demo <demo@mailgate.demo>",
        "To: you@mailgate.demo",
        "Subject: Welcome to mailgate",
        "Message-ID: <welcome@mailgate.demo>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        "Hello!",
        "",
        "You are reading this through mailgate, from its embedded demo mail store.",
        "Point mailgate at your own mail servers in conf/mailgate.conf when you are done trying it.",
        "");
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  /** {@code message} with every bare LF (and bare CR) turned into CRLF, as RFC 5322 §2.1 and IMAP clients expect. */
  public static byte[] crlf(byte[] message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + message.length / 32 + 2);
    for (int i = 0; i < message.length; i++) {
      byte b = message[i];
      if (b == '\r') {
        out.write('\r');
        out.write('\n');
        if (i + 1 < message.length && message[i + 1] == '\n') {
          i++;
        }
      } else if (b == '\n') {
        out.write('\r');
        out.write('\n');
      } else {
        out.write(b);
      }
    }
    return out.toByteArray();
  }
}
