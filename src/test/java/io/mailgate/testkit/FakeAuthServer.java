package io.mailgate.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * An nginx-style auth_http service on loopback: records every request's headers and answers with a scripted response.
 * One thread per connection; connections are closed after each response (no keep-alive) unless the script returns a
 * Content-Length response itself.
 */
public final class FakeAuthServer implements AutoCloseable {

  /** One recorded request: header names lower-cased, values as raw ISO-8859-1 text. */
  public record Request(String requestLine, Map<String, String> headers) {
    /** A header value, or null. */
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /**
   * A response that never comes: the connection is held open, unanswered, until the proxy closes it or the server is
   * closed (for auth_http_timeout tests).
   */
  public static final String HANG = "\0hang";

  private final ServerSocket server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private volatile Function<Request, String> responder;

  /** A server answering with {@code responder}'s raw header block (status line optional, no final blank line). */
  public FakeAuthServer(Function<Request, String> responder) throws IOException {
    this.responder = responder;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "fake-auth");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** An OK answer routing to {@code backendPort}, with extra header lines. */
  public static String ok(int backendPort, String... extra) {
    return "HTTP/1.0 200 OK\r\nAuth-Status: OK\r\nAuth-Server: 127.0.0.1\r\nAuth-Port: " + backendPort + "\r\n"
        + String.join("", java.util.Arrays.stream(extra).map(e -> e + "\r\n").toList());
  }

  /** A failure answer with extra header lines. */
  public static String fail(String text, String... extra) {
    return "HTTP/1.0 200 OK\r\nAuth-Status: " + text + "\r\n"
        + String.join("", java.util.Arrays.stream(extra).map(e -> e + "\r\n").toList());
  }

  /** Replaces the script. */
  public void respondWith(Function<Request, String> responder) {
    this.responder = responder;
  }

  /** The port to put in {@code auth_http}. */
  public int port() {
    return server.getLocalPort();
  }

  /** Requests received so far, in order. */
  public List<Request> requests() {
    return requests;
  }

  /** The Auth-Method header of each request after the first {@code before}, in order. */
  public List<String> authMethodsSince(int before) {
    return requests.subList(before, requests.size()).stream().map(r -> r.header("Auth-Method")).toList();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        Thread t = new Thread(() -> serve(socket), "fake-auth-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      while (true) {
        String head = readHead(in);
        if (head == null) {
          return;
        }
        String[] lines = head.split("\r\n");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
          int colon = lines[i].indexOf(':');
          if (colon > 0) {
            headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
          }
        }
        Request request = new Request(lines[0], headers);
        requests.add(request);
        String response = responder.apply(request);
        if (response == null) {
          return;
        }
        if (HANG.equals(response)) {
          socket.setSoTimeout(10_000);
          holdUntilClosed(in);
          return;
        }
        out.write((response + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        if (!response.toLowerCase(Locale.ROOT).contains("content-length:")) {
          return;
        }
      }
    } catch (IOException e) {
      // the proxy went away: nothing to record
    }
  }

  /** A WAIT answer ({@code Auth-Status: WAIT}) with extra header lines. */
  public static String waitAnswer(String... extra) {
    return fail("WAIT", extra);
  }

  /** A script that answers {@code response} after {@code millis} (the auth lookup stays pending meanwhile). */
  public static Function<Request, String> delayed(int millis, Function<Request, String> response) {
    return request -> {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
      return response.apply(request);
    };
  }

  /** Reads and drops input until the peer closes, the socket fails or 10 s pass. */
  private static void holdUntilClosed(InputStream in) throws IOException {
    byte[] sink = new byte[256];
    while (in.read(sink) >= 0) {
      // nothing to answer
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    int b;
    while ((b = in.read()) >= 0) {
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
      if (matched == 4) {
        return head.toString(StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
