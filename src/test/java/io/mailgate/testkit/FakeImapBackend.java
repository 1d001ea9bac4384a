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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An IMAP backend on loopback, like nginx-tests' IMAP daemon: greets, accepts any LOGIN (literals answered with
 * {@code +}), answers other tagged commands {@code OK}, and records every byte it received per connection. A LOGIN whose
 * line contains "capability" is answered with an untagged CAPABILITY line first; a user "reject" gets {@code NO}.
 * {@code XBIG n} is answered with an n-byte literal. A null greeting makes a backend that accepts connections but never speaks. {@link #withMailbox()} makes one that
 * also answers CAPABILITY, LIST, LSUB, SELECT and EXAMINE with the untagged data a real client library expects.
 * {@link #acceptToken} makes it accept {@code AUTHENTICATE XOAUTH2}/{@code OAUTHBEARER} (with or without an initial
 * response) carrying that bearer token only, refusing any other with {@code NO}, after an RFC 7628 error challenge
 * when {@link #errorChallenge} is set.
 */
public final class FakeImapBackend implements AutoCloseable {

  private static final Pattern LITERAL = Pattern.compile("\\{(\\d+)(\\+?)\\}$");

  private final ServerSocket server;
  private final String greeting;
  private final boolean mailbox;
  private final List<String> received = new CopyOnWriteArrayList<>();
  private volatile String token;
  private volatile boolean errorChallenge;

  /** A backend with nginx-tests' greeting. */
  public FakeImapBackend() throws IOException {
    this("* OK fake ready");
  }

  /** A backend with the given greeting line; null: never greets. */
  public FakeImapBackend(String greeting) throws IOException {
    this(greeting, false);
  }

  private FakeImapBackend(String greeting, boolean mailbox) throws IOException {
    this.greeting = greeting;
    this.mailbox = mailbox;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "fake-imap");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A backend with an INBOX, enough for a real IMAP client library to log in, list folders and log out. */
  public static FakeImapBackend withMailbox() throws IOException {
    return new FakeImapBackend("* OK fake ready", true);
  }

  /** Accepts AUTHENTICATE XOAUTH2/OAUTHBEARER with this bearer token; other tokens get {@code NO}. */
  public FakeImapBackend acceptToken(String bearerToken) {
    this.token = bearerToken;
    return this;
  }

  /** Refuses a wrong token with an error challenge first, as Dovecot does, and {@code NO} after the client's answer. */
  public FakeImapBackend errorChallenge() {
    this.errorChallenge = true;
    return this;
  }

  /** The backend's port. */
  public int port() {
    return server.getLocalPort();
  }

  /** Every logical line (literals joined in) received, over all connections, in order. */
  public List<String> received() {
    return received;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        Thread t = new Thread(() -> serve(socket), "fake-imap-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      if (greeting == null) {
        socket.setSoTimeout(10_000);
        while (in.read() >= 0) {
          // silent backend: swallow input until the proxy gives up
        }
        return;
      }
      write(out, greeting + "\r\n");
      while (true) {
        StringBuilder command = new StringBuilder();
        while (true) {
          String line = readLine(in);
          if (line == null) {
            return;
          }
          command.append(line);
          Matcher m = LITERAL.matcher(line);
          if (!m.find()) {
            break;
          }
          int n = Integer.parseInt(m.group(1));
          if (m.group(2).isEmpty()) {
            write(out, "+ go ahead\r\n");
          }
          command.append("\r\n").append(new String(in.readNBytes(n), StandardCharsets.ISO_8859_1));
        }
        String text = command.toString();
        received.add(text);
        if (text.startsWith("PROXY ")) {
          // A PROXY protocol header from a proxy_protocol proxy: recorded, and not answered (HAProxy's spec).
          continue;
        }
        String tag = text.split(" ", 2)[0];
        String upper = text.toUpperCase(java.util.Locale.ROOT);
        if (token != null && upper.startsWith(tag.toUpperCase(java.util.Locale.ROOT) + " AUTHENTICATE ")) {
          if (!authenticate(in, out, tag, text)) {
            return;
          }
        } else if (upper.startsWith(tag.toUpperCase(java.util.Locale.ROOT) + " LOGIN")) {
          if (text.contains("reject")) {
            write(out, tag + " NO [AUTHENTICATIONFAILED] rejected\r\n");
            continue;
          }
          if (text.contains("capability")) {
            write(out, "* CAPABILITY IMAP4rev1 FAKE\r\n");
          }
          write(out, tag + " OK LOGIN completed\r\n");
        } else if (upper.contains(" LOGOUT")) {
          write(out, "* BYE fake logging out\r\n" + tag + " OK LOGOUT completed\r\n");
          return;
        } else if (upper.startsWith(tag.toUpperCase(java.util.Locale.ROOT) + " XBIG ")) {
          // Test command "XBIG n": n bytes of data towards the client, to exercise the relay's backpressure.
          int n = Integer.parseInt(text.substring(tag.length() + 6).trim());
          write(out, "* XBIG {" + n + "}\r\n" + "x".repeat(n) + "\r\n" + tag + " OK XBIG completed\r\n");
        } else if (mailbox && answerMailboxCommand(out, tag, upper.substring(tag.length()).trim())) {
          continue;
        } else {
          write(out, tag + " OK " + text.substring(tag.length()).trim().split(" ")[0] + " completed\r\n");
        }
      }
    } catch (IOException e) {
      // client went away
    }
  }

  /** AUTHENTICATE with a bearer token; false when the proxy went away mid-exchange. */
  private boolean authenticate(InputStream in, OutputStream out, String tag, String command) throws IOException {
    String[] words = command.split(" ");
    String response;
    if (words.length > 3) {
      response = words[3];
    } else {
      write(out, "+ \r\n");
      response = readLine(in);
      if (response == null) {
        return false;
      }
      received.add(response);
    }
    if (FakeBearerTokens.carries(response, token)) {
      write(out, tag + " OK AUTHENTICATE completed\r\n");
      return true;
    }
    if (errorChallenge) {
      write(out, "+ " + FakeBearerTokens.ERROR_CHALLENGE + "\r\n");
      String answer = readLine(in);
      if (answer == null) {
        return false;
      }
      received.add(answer);
    }
    write(out, tag + " NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
    return true;
  }

  /** Mailbox mode: the untagged data and tagged OK of the commands a client library sends; false if not one. */
  private static boolean answerMailboxCommand(OutputStream out, String tag, String upperCommand) throws IOException {
    String name = upperCommand.split(" ", 2)[0];
    switch (name) {
      case "CAPABILITY":
        write(out, "* CAPABILITY IMAP4rev1 AUTH=XOAUTH2 AUTH=PLAIN\r\n" + tag + " OK CAPABILITY completed\r\n");
        return true;
      case "LIST":
      case "LSUB":
        write(out, "* " + name + " (\\HasNoChildren) \"/\" INBOX\r\n" + tag + " OK " + name + " completed\r\n");
        return true;
      case "SELECT":
      case "EXAMINE":
        write(out, "* FLAGS (\\Seen \\Deleted)\r\n* 0 EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 1] UIDs valid\r\n"
            + tag + " OK [READ-WRITE] " + name + " completed\r\n");
        return true;
      default:
        return false;
    }
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
