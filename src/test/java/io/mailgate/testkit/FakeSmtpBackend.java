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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An SMTP backend on loopback in the manner of nginx-tests' SMTP daemon, closer to Postfix: EHLO lists the chosen
 * extensions (and XCLIENT when asked to), XCLIENT is answered with a new {@code 220} greeting (or refused with 550),
 * {@code AUTH PLAIN} with or without an initial response gets 235, MAIL/RCPT 250 (a recipient containing "reject"
 * gets 550), DATA 354 and then 250 once the message is in. Every command line and every message body is recorded.
 * {@link #acceptToken} makes it accept {@code AUTH XOAUTH2}/{@code OAUTHBEARER} (with or without an initial response)
 * carrying that bearer token only, after a {@code 334} error challenge for a wrong one when {@link #errorChallenge} is
 * set.
 */
public final class FakeSmtpBackend implements AutoCloseable {

  private final ServerSocket server;
  private final List<String> received = new CopyOnWriteArrayList<>();
  private final List<String> messages = new CopyOnWriteArrayList<>();
  private volatile List<String> extensions = List.of("PIPELINING", "SIZE 10240000", "8BITMIME");
  private volatile boolean announceXclient;
  private volatile boolean refuseXclient;
  private volatile String token;
  private volatile boolean errorChallenge;

  /** A backend announcing PIPELINING, SIZE and 8BITMIME, but not XCLIENT. */
  public FakeSmtpBackend() throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "fake-smtp");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Sets the EHLO extension lines (without {@code 250-}). */
  public FakeSmtpBackend extensions(String... lines) {
    this.extensions = List.of(lines);
    return this;
  }

  /** Adds XCLIENT to the EHLO reply, as Postfix does for an authorized client. */
  public FakeSmtpBackend announceXclient() {
    this.announceXclient = true;
    return this;
  }

  /** Refuses XCLIENT with 550, as Postfix does for a client outside {@code smtpd_authorized_xclient_hosts}. */
  public FakeSmtpBackend refuseXclient() {
    this.refuseXclient = true;
    return this;
  }

  /** Accepts AUTH XOAUTH2/OAUTHBEARER with this bearer token; other tokens get {@code 535}. */
  public FakeSmtpBackend acceptToken(String bearerToken) {
    this.token = bearerToken;
    return this;
  }

  /** Refuses a wrong token with a {@code 334} error challenge first, and {@code 535} after the client's answer. */
  public FakeSmtpBackend errorChallenge() {
    this.errorChallenge = true;
    return this;
  }

  /** The backend's port. */
  public int port() {
    return server.getLocalPort();
  }

  /** Every command line received (AUTH data lines too), over all connections, in order. */
  public List<String> received() {
    return received;
  }

  /** Every message body received after DATA, dot-unstuffed, lines joined with CRLF. */
  public List<String> messages() {
    return messages;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        Thread t = new Thread(() -> serve(socket), "fake-smtp-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      socket.setSoTimeout(15_000);
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      write(out, "220 fake.backend ESMTP Postfix");
      String line;
      while ((line = readLine(in)) != null) {
        received.add(line);
        String upper = line.toUpperCase(Locale.ROOT);
        if (upper.startsWith("EHLO")) {
          List<String> lines = new ArrayList<>();
          lines.add("fake.backend");
          lines.addAll(extensions);
          if (announceXclient) {
            lines.add("XCLIENT NAME ADDR PROTO HELO REVERSE_NAME PORT LOGIN DESTADDR DESTPORT");
          }
          StringBuilder reply = new StringBuilder();
          for (int i = 0; i < lines.size(); i++) {
            reply.append(i == lines.size() - 1 ? "250 " : "250-").append(lines.get(i)).append("\r\n");
          }
          writeRaw(out, reply.toString());
        } else if (upper.startsWith("HELO")) {
          write(out, "250 fake.backend");
        } else if (upper.startsWith("XCLIENT")) {
          write(out, refuseXclient ? "550 5.7.0 Error: insufficient authorization" : "220 fake.backend ESMTP Postfix");
        } else if (upper.equals("AUTH PLAIN")) {
          write(out, "334 ");
          String data = readLine(in);
          if (data == null) {
            return;
          }
          received.add(data);
          write(out, "235 2.7.0 Authentication successful");
        } else if (token != null && (upper.startsWith("AUTH XOAUTH2") || upper.startsWith("AUTH OAUTHBEARER"))) {
          if (!authenticate(in, out, line)) {
            return;
          }
        } else if (upper.startsWith("AUTH PLAIN ")) {
          write(out, "235 2.7.0 Authentication successful");
        } else if (upper.startsWith("MAIL FROM:")) {
          write(out, "250 2.1.0 Ok");
        } else if (upper.startsWith("RCPT TO:")) {
          write(out, upper.contains("REJECT") ? "550 5.1.1 <rejected>: Recipient address rejected" : "250 2.1.5 Ok");
        } else if (upper.equals("DATA")) {
          write(out, "354 End data with <CR><LF>.<CR><LF>");
          String body = readBody(in);
          if (body == null) {
            return;
          }
          messages.add(body);
          write(out, "250 2.0.0 Ok: queued as FAKE" + messages.size());
        } else if (upper.equals("RSET") || upper.equals("NOOP")) {
          write(out, "250 2.0.0 Ok");
        } else if (upper.equals("QUIT")) {
          write(out, "221 2.0.0 Bye");
          return;
        } else {
          write(out, "502 5.5.2 Error: command not recognized");
        }
      }
    } catch (IOException e) {
      // the proxy went away
    }
  }

  /** AUTH with a bearer token; false when the proxy went away mid-exchange. */
  private boolean authenticate(InputStream in, OutputStream out, String command) throws IOException {
    String[] words = command.split(" ");
    String response;
    if (words.length > 2) {
      response = words[2];
    } else {
      write(out, "334 ");
      response = readLine(in);
      if (response == null) {
        return false;
      }
      received.add(response);
    }
    if (FakeBearerTokens.carries(response, token)) {
      write(out, "235 2.7.0 Authentication successful");
      return true;
    }
    if (errorChallenge) {
      write(out, "334 " + FakeBearerTokens.ERROR_CHALLENGE);
      String answer = readLine(in);
      if (answer == null) {
        return false;
      }
      received.add(answer);
    }
    write(out, "535 5.7.8 Error: authentication failed: Invalid token");
    return true;
  }

  private static String readBody(InputStream in) throws IOException {
    List<String> lines = new ArrayList<>();
    String line;
    while ((line = readLine(in)) != null) {
      if (line.equals(".")) {
        return String.join("\r\n", lines);
      }
      lines.add(line.startsWith(".") ? line.substring(1) : line);
    }
    return null;
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        String s = line.toString(StandardCharsets.UTF_8);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      line.write(b);
    }
    return null;
  }

  private static void write(OutputStream out, String line) throws IOException {
    writeRaw(out, line + "\r\n");
  }

  private static void writeRaw(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
