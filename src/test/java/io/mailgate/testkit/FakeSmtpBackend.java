package io.mailgate.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An SMTP backend on loopback in the manner of nginx-tests' SMTP daemon, closer to Postfix: EHLO lists the chosen
 * extensions (and XCLIENT when asked to), XCLIENT is answered with a new {@code 220} greeting (or refused with 550),
 * {@code AUTH PLAIN} with or without an initial response gets 235, MAIL/RCPT 250 (a recipient containing "reject"
 * gets 550), DATA 354 and then 250 once the message is in. Every command line (AUTH data lines too) and every message
 * body is recorded. {@code XBIG n} is answered with an n-byte reply line. {@link #acceptToken} makes it accept {@code AUTH XOAUTH2}/{@code OAUTHBEARER} (with or without
 * an initial response) carrying that bearer token only, refusing any other with {@code 535}, after a {@code 334} error
 * challenge when {@link #errorChallenge} is set.
 */
public final class FakeSmtpBackend extends FakeLineBackend<FakeSmtpBackend> {

  private final List<String> messages = new CopyOnWriteArrayList<>();
  private volatile List<String> extensions = List.of("PIPELINING", "SIZE 10240000", "8BITMIME");
  private volatile String xclientLine;
  private volatile boolean refuseXclient;

  /** A backend announcing PIPELINING, SIZE and 8BITMIME, but not XCLIENT. */
  public FakeSmtpBackend() throws IOException {
    listen("fake-smtp", StandardCharsets.UTF_8);
  }

  /** Sets the EHLO extension lines (without {@code 250-}). */
  public FakeSmtpBackend extensions(String... lines) {
    this.extensions = List.of(lines);
    return this;
  }

  /** Postfix 3.7's XCLIENT line in its EHLO reply, attribute names and all. */
  public static final String POSTFIX_XCLIENT = "XCLIENT NAME ADDR PROTO HELO REVERSE_NAME PORT LOGIN DESTADDR DESTPORT";

  /** Adds XCLIENT to the EHLO reply as Postfix 3.7 does for an authorized client ({@link #POSTFIX_XCLIENT}). */
  public FakeSmtpBackend announceXclient() {
    return announceXclient(POSTFIX_XCLIENT.substring("XCLIENT ".length()));
  }

  /** Adds {@code XCLIENT <attributes>} to the EHLO reply; "" announces a bare {@code XCLIENT}, no names. */
  public FakeSmtpBackend announceXclient(String attributes) {
    this.xclientLine = attributes.isEmpty() ? "XCLIENT" : "XCLIENT " + attributes;
    return this;
  }

  /** Refuses XCLIENT with 550, as Postfix does for a client outside {@code smtpd_authorized_xclient_hosts}. */
  public FakeSmtpBackend refuseXclient() {
    this.refuseXclient = true;
    return this;
  }

  /** Every message body received after DATA, dot-unstuffed, lines joined with CRLF. */
  public List<String> messages() {
    return messages;
  }

  @Override
  void serve(LineServer.Connection c) throws IOException {
    c.timeout(15_000);
    c.writeLine("220 fake.backend ESMTP Postfix");
    String line;
    while ((line = c.readRecordedLine()) != null) {
      String upper = line.toUpperCase(Locale.ROOT);
      if (upper.equals("QUIT")) {
        c.writeLine("221 2.0.0 Bye");
        return;
      } else if (upper.startsWith("EHLO")) {
        List<String> lines = new ArrayList<>();
        lines.add("fake.backend");
        lines.addAll(extensions);
        if (xclientLine != null) {
          lines.add(xclientLine);
        }
        StringBuilder reply = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
          reply.append(i == lines.size() - 1 ? "250 " : "250-").append(lines.get(i)).append("\r\n");
        }
        c.write(reply.toString());
      } else if (upper.startsWith("HELO")) {
        c.writeLine("250 fake.backend");
      } else if (upper.startsWith("XCLIENT")) {
        c.writeLine(refuseXclient ? "550 5.7.0 Error: insufficient authorization" : "220 fake.backend ESMTP Postfix");
      } else if (upper.equals("AUTH PLAIN")) {
        c.writeLine("334 ");
        if (c.readRecordedLine() == null) {
          return;
        }
        c.writeLine("235 2.7.0 Authentication successful");
      } else if (acceptsTokens() && (upper.startsWith("AUTH XOAUTH2") || upper.startsWith("AUTH OAUTHBEARER"))) {
        Outcome outcome = bearerExchange(c, line, 2, "334 ");
        if (outcome == Outcome.PROXY_GONE) {
          return;
        }
        c.writeLine(outcome == Outcome.ACCEPTED
            ? "235 2.7.0 Authentication successful"
            : "535 5.7.8 Error: authentication failed: Invalid token");
      } else if (upper.startsWith("AUTH PLAIN ")) {
        c.writeLine("235 2.7.0 Authentication successful");
      } else if (upper.startsWith("MAIL FROM:")) {
        c.writeLine("250 2.1.0 Ok");
      } else if (upper.startsWith("RCPT TO:")) {
        c.writeLine(upper.contains("REJECT") ? "550 5.1.1 <rejected>: Recipient address rejected" : "250 2.1.5 Ok");
      } else if (upper.equals("DATA")) {
        c.writeLine("354 End data with <CR><LF>.<CR><LF>");
        String body = readBody(c);
        if (body == null) {
          return;
        }
        messages.add(body);
        c.writeLine("250 2.0.0 Ok: queued as FAKE" + messages.size());
      } else if (upper.equals("RSET") || upper.equals("NOOP")) {
        c.writeLine("250 2.0.0 Ok");
      } else if (upper.startsWith("XBIG ")) {
        // Test command "XBIG n": n bytes towards the client, to exercise the relay's backpressure.
        c.writeLine("250-" + "x".repeat(Integer.parseInt(upper.substring(5).trim())));
        c.writeLine("250 2.0.0 Ok");
      } else {
        c.writeLine("502 5.5.2 Error: command not recognized");
      }
    }
  }

  private static String readBody(LineServer.Connection c) throws IOException {
    List<String> lines = new ArrayList<>();
    String line;
    while ((line = c.readLine()) != null) {
      if (line.equals(".")) {
        return String.join("\r\n", lines);
      }
      lines.add(line.startsWith(".") ? line.substring(1) : line);
    }
    return null;
  }
}
