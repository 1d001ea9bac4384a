package io.mailgate.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A POP3 backend on loopback, like nginx-tests' POP3 daemon: greets {@code +OK fake pop3 server ready}, accepts only
 * {@code USER test@example.com} and {@code PASS secret} (or the pair it was given), and records every line it receives
 * over all connections. After login it serves a one-message maildrop (STAT, LIST, UIDL, RETR, TOP, NOOP, DELE, RSET,
 * QUIT), enough for poplib and curl. A scripted PASS reply (e.g. {@code -ERR [IN-USE] locked}) or greeting replaces
 * the normal one. {@link #acceptToken} makes it accept {@code AUTH XOAUTH2}/{@code OAUTHBEARER} (RFC 5034, with or
 * without an initial response) carrying that bearer token only, after an error challenge for a wrong one when
 * {@link #errorChallenge} is set.
 */
public final class FakePop3Backend implements AutoCloseable {

  /** The one message in the maildrop: a line starting with "." shows the dot-stuffing of RFC 1939 §3. */
  public static final String MESSAGE = "From: a@example.com\r\nTo: test@example.com\r\nSubject: hello\r\n\r\n"
      + "first line\r\n.dotted line\r\n..two dots\r\nlast line\r\n";

  private final ServerSocket server;
  private final String user;
  private final String pass;
  private final List<String> received = new CopyOnWriteArrayList<>();
  private volatile String greeting = "+OK fake pop3 server ready";
  private volatile String passReply;
  private volatile String token;
  private volatile boolean errorChallenge;

  /** A backend accepting nginx-tests' user and password. */
  public FakePop3Backend() throws IOException {
    this("test@example.com", "secret");
  }

  /** A backend accepting only {@code user} / {@code pass}. */
  public FakePop3Backend(String user, String pass) throws IOException {
    this.user = user;
    this.pass = pass;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "fake-pop3");
    acceptor.setDaemon(true);
    acceptor.start();
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

  /** Accepts AUTH XOAUTH2/OAUTHBEARER with this bearer token; other tokens get {@code -ERR}. */
  public FakePop3Backend acceptToken(String bearerToken) {
    this.token = bearerToken;
    return this;
  }

  /** Refuses a wrong token with an error challenge first, as Dovecot does, and {@code -ERR} after the answer. */
  public FakePop3Backend errorChallenge() {
    this.errorChallenge = true;
    return this;
  }

  /** The backend's port. */
  public int port() {
    return server.getLocalPort();
  }

  /** Every line received, over all connections, in order, without line ends. */
  public List<String> received() {
    return received;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        Thread t = new Thread(() -> serve(socket), "fake-pop3-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      socket.setSoTimeout(20_000);
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      write(out, greeting + "\r\n");
      boolean userOk = false;
      boolean loggedIn = false;
      String line;
      while ((line = readLine(in)) != null) {
        received.add(line);
        String upper = line.toUpperCase(Locale.ROOT);
        if (upper.equals("QUIT")) {
          write(out, "+OK quit ok\r\n");
          return;
        } else if (!loggedIn && token != null
            && (upper.startsWith("AUTH XOAUTH2") || upper.startsWith("AUTH OAUTHBEARER"))) {
          Boolean ok = authenticate(in, out, line);
          if (ok == null) {
            return;
          }
          loggedIn = ok;
        } else if (!loggedIn && line.equals("USER " + user)) {
          userOk = true;
          write(out, "+OK user ok\r\n");
        } else if (!loggedIn && upper.startsWith("PASS ") && passReply != null) {
          write(out, passReply + "\r\n");
        } else if (!loggedIn && userOk && line.equals("PASS " + pass)) {
          loggedIn = true;
          write(out, "+OK pass ok\r\n");
        } else if (loggedIn) {
          write(out, transaction(upper));
        } else {
          write(out, "-ERR unknown command\r\n");
        }
      }
    } catch (IOException e) {
      // the proxy went away
    }
  }

  /** AUTH with a bearer token: whether it logged in, null when the proxy went away mid-exchange. */
  private Boolean authenticate(InputStream in, OutputStream out, String command) throws IOException {
    String[] words = command.split(" ");
    String response;
    if (words.length > 2) {
      response = words[2];
    } else {
      write(out, "+ \r\n");
      response = readLine(in);
      if (response == null) {
        return null;
      }
      received.add(response);
    }
    if (FakeBearerTokens.carries(response, token)) {
      write(out, "+OK Logged in.\r\n");
      return true;
    }
    if (errorChallenge) {
      write(out, "+ " + FakeBearerTokens.ERROR_CHALLENGE + "\r\n");
      String answer = readLine(in);
      if (answer == null) {
        return null;
      }
      received.add(answer);
    }
    write(out, "-ERR [AUTH] Authentication failed.\r\n");
    return false;
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
      default:
        return "-ERR unknown command\r\n";
    }
  }

  /** RFC 1939 §3: a line starting with "." gets one more. */
  private static String stuffed(String message) {
    return message.replace("\r\n.", "\r\n..");
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        String s = line.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      line.write(b);
    }
    return null;
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
