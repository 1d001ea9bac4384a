package io.mailgate.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * A POP3 backend on loopback, like nginx-tests' POP3 daemon: greets {@code +OK fake pop3 server ready}, accepts only
 * {@code USER test@example.com} and {@code PASS secret} (or the pair it was given), and records every line it receives
 * over all connections. After login it serves a one-message maildrop (STAT, LIST, UIDL, RETR, TOP, NOOP, DELE, RSET,
 * QUIT), enough for poplib and curl, and {@code XBIG n} (n bytes in one reply). A scripted PASS reply (e.g. {@code -ERR [IN-USE] locked}) or greeting replaces
 * the normal one. {@link #acceptToken} makes it accept {@code AUTH XOAUTH2}/{@code OAUTHBEARER} (RFC 5034, with or
 * without an initial response) carrying that bearer token only, refusing any other with {@code -ERR}, after an error
 * challenge when {@link #errorChallenge} is set.
 */
public final class FakePop3Backend extends FakeLineBackend<FakePop3Backend> {

  /** The one message in the maildrop: a line starting with "." shows the dot-stuffing of RFC 1939 §3. */
  public static final String MESSAGE = "From: a@example.com\r\nTo: test@example.com\r\nSubject: hello\r\n\r\n"
      + "first line\r\n.dotted line\r\n..two dots\r\nlast line\r\n";

  private final String user;
  private final String pass;
  private volatile String greeting = "+OK fake pop3 server ready";
  private volatile String passReply;
  private volatile List<String> capabilities;
  private volatile String xclientReply;

  /** A backend accepting nginx-tests' user and password. */
  public FakePop3Backend() throws IOException {
    this("test@example.com", "secret");
  }

  /** A backend accepting only {@code user} / {@code pass}. */
  public FakePop3Backend(String user, String pass) throws IOException {
    this.user = user;
    this.pass = pass;
    listen("fake-pop3", StandardCharsets.ISO_8859_1);
  }

  /** Replaces the greeting line (e.g. {@code -ERR [SYS/TEMP] busy}). */
  public FakePop3Backend greeting(String line) {
    this.greeting = line;
    return this;
  }

  /** Answers every PASS with {@code line} instead of checking the password (e.g. {@code -ERR [IN-USE] locked}). */
  public FakePop3Backend passReply(String line) {
    this.passReply = line;
    return this;
  }

  /**
   * Answers CAPA before login with these capability lines (RFC 2449 §5; e.g. {@code XCLIENT}, {@code PIPELINING});
   * without them a CAPA before login gets {@code -ERR}, as from an RFC 1939 server.
   */
  public FakePop3Backend capabilities(String... lines) {
    this.capabilities = List.of(lines);
    return this;
  }

  /** Answers XCLIENT with {@code line} (e.g. {@code +OK Updated}); without it XCLIENT is an unknown command. */
  public FakePop3Backend xclientReply(String line) {
    this.xclientReply = line;
    return this;
  }

  @Override
  void serve(LineServer.Connection c) throws IOException {
    c.timeout(20_000);
    c.write(greeting + "\r\n");
    boolean userOk = false;
    boolean loggedIn = false;
    String line;
    while ((line = c.readRecordedLine()) != null) {
      String upper = line.toUpperCase(Locale.ROOT);
      if (upper.equals("QUIT")) {
        c.write("+OK quit ok\r\n");
        return;
      } else if (!loggedIn && acceptsTokens()
          && (upper.startsWith("AUTH XOAUTH2") || upper.startsWith("AUTH OAUTHBEARER"))) {
        Outcome outcome = bearerExchange(c, line, 2, "+ ");
        if (outcome == Outcome.PROXY_GONE) {
          return;
        }
        loggedIn = outcome == Outcome.ACCEPTED;
        c.write(loggedIn ? "+OK Logged in.\r\n" : "-ERR [AUTH] Authentication failed.\r\n");
      } else if (!loggedIn && upper.equals("CAPA") && capabilities != null) {
        c.write("+OK Capability list follows\r\n" + String.join("\r\n", capabilities) + "\r\n.\r\n");
      } else if (!loggedIn && upper.startsWith("XCLIENT ") && xclientReply != null) {
        c.write(xclientReply + "\r\n");
      } else if (!loggedIn && line.equals("USER " + user)) {
        userOk = true;
        c.write("+OK user ok\r\n");
      } else if (!loggedIn && upper.startsWith("PASS ") && passReply != null) {
        c.write(passReply + "\r\n");
      } else if (!loggedIn && userOk && line.equals("PASS " + pass)) {
        loggedIn = true;
        c.write("+OK pass ok\r\n");
      } else if (loggedIn) {
        c.write(transaction(upper));
      } else {
        c.write("-ERR unknown command\r\n");
      }
    }
  }

  /** RFC 1939 §5 TRANSACTION state commands on the one-message maildrop. */
  private static String transaction(String upper) {
    int size = MESSAGE.length();
    String[] words = upper.split(" ");
    switch (words[0]) {
      case "STAT":
        return "+OK 1 " + size + "\r\n";
      case "LIST":
        return words.length > 1 ? "+OK 1 " + size + "\r\n" : "+OK 1 messages\r\n1 " + size + "\r\n.\r\n";
      case "UIDL":
        return words.length > 1 ? "+OK 1 uid-1\r\n" : "+OK\r\n1 uid-1\r\n.\r\n";
      case "RETR":
      case "TOP":
        return words.length > 1 && words[1].equals("1")
            ? "+OK " + size + " octets\r\n" + stuffed(MESSAGE) + ".\r\n"
            : "-ERR no such message\r\n";
      case "NOOP":
      case "RSET":
      case "DELE":
        return "+OK\r\n";
      case "CAPA":
        return "+OK\r\nUSER\r\nUIDL\r\nTOP\r\n.\r\n";
      case "XBIG":
        // Test command "XBIG n": n bytes towards the client, to exercise the relay's backpressure.
        return "+OK\r\n" + "x".repeat(Integer.parseInt(words[1])) + "\r\n.\r\n";
      default:
        return "-ERR unknown command\r\n";
    }
  }

  /** RFC 1939 §3: a line starting with "." gets one more. */
  private static String stuffed(String message) {
    return message.replace("\r\n.", "\r\n..");
  }
}
