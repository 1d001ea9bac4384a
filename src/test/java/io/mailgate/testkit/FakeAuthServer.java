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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.io.BufferedInputStream;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * An nginx-style auth_http service on loopback: records every request's headers and answers with a scripted response.
 * One thread per connection; connections are closed after each response (no keep-alive) unless the script returns a
 * Content-Length response itself. {@link #https} makes it an HTTPS service (JDK TLS, a {@link TestPki} certificate,
 * optionally requiring client certificates), counting the TLS handshakes it completes.
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
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger handshakes = new AtomicInteger();
  private final List<String> clientSubjects = new CopyOnWriteArrayList<>();
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final java.util.Set<String> sessionsSeen = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final AtomicInteger resumed = new AtomicInteger();
  private volatile Function<Request, String> responder;
  /** TLS is layered over each accepted TCP socket, so that {@link #close} can cut the TCP socket itself. */
  private final SSLContext tls;
  private final boolean needClientCertificate;

  /** A server answering with {@code responder}'s raw header block (status line optional, no final blank line). */
  public FakeAuthServer(Function<Request, String> responder) throws IOException {
    this(0, null, false, responder);
  }

  /** As above, on {@code port} (0: any free one), speaking TLS with {@code tls} when not null. */
  private FakeAuthServer(int port, SSLContext tls, boolean needClientCertificate, Function<Request, String> responder)
      throws IOException {
    this.responder = responder;
    this.tls = tls;
    this.needClientCertificate = needClientCertificate;
    this.server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "fake-auth");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A plain service on {@code port} (one that was closed comes back there). */
  public static FakeAuthServer onPort(int port, Function<Request, String> responder) throws IOException {
    return new FakeAuthServer(port, null, false, responder);
  }

  /**
   * An HTTPS service on {@code port} (0: any) with {@code certificate}; when {@code clientCa} is not null, client
   * certificates issued by it are required (mutual TLS).
   */
  public static FakeAuthServer https(int port, TestPki.Pair certificate, X509Certificate clientCa,
      Function<Request, String> responder) throws IOException {
    return new FakeAuthServer(port, serverContext(certificate, clientCa), clientCa != null, responder);
  }

  /** A JDK server context presenting {@code certificate}, trusting {@code clientCa} (when not null) for clients. */
  private static SSLContext serverContext(TestPki.Pair certificate, X509Certificate clientCa) {
    try {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      char[] password = "test".toCharArray();
      keys.setKeyEntry("server", certificate.privateKey(), password, new X509Certificate[] {certificate.x509()});
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, password);
      TrustManagerFactory tmf = null;
      if (clientCa != null) {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("client-ca", clientCa);
        tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
      return context;
    } catch (Exception e) {
      throw new IllegalStateException("cannot make the fake auth service's TLS context", e);
    }
  }

  /** TCP connections accepted so far. */
  public int connections() {
    return connections.get();
  }

  /** TLS handshakes completed so far (full or resumed), server side. */
  public int handshakes() {
    return handshakes.get();
  }

  /** Handshakes that resumed an earlier session rather than making a new one. */
  public int resumedHandshakes() {
    return resumed.get();
  }

  /** The subject of each client certificate presented, one per handshake that had one. */
  public List<String> clientSubjects() {
    return clientSubjects;
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
        Socket raw = server.accept();
        connections.incrementAndGet();
        open.add(raw);
        Socket socket = raw;
        if (tls != null) {
          SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(raw, null, raw.getPort(), true);
          ssl.setUseClientMode(false);
          ssl.setNeedClientAuth(needClientCertificate);
          socket = ssl;
          ssl.addHandshakeCompletedListener(e -> {
            handshakes.incrementAndGet();
            // A resumed session keeps its ID (TLS 1.2) or the creation time of the session it resumes (the JDK's
            // TLS 1.3 PSK resumption): either seen before means this handshake resumed one.
            String id = java.util.HexFormat.of().formatHex(e.getSession().getId());
            String created = Long.toString(e.getSession().getCreationTime());
            if (!sessionsSeen.add("id:" + id) | !sessionsSeen.add("created:" + created)) {
              resumed.incrementAndGet();
            }
            try {
              clientSubjects.add(((X509Certificate) e.getPeerCertificates()[0]).getSubjectX500Principal().getName());
            } catch (SSLPeerUnverifiedException none) {
              // no client certificate: nothing to record
            }
          });
        }
        Socket accepted = socket;
        Thread t = new Thread(() -> {
          try {
            serve(accepted);
          } finally {
            open.remove(raw);
          }
        }, "fake-auth-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      socket.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(socket.getInputStream());
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

  /** Stops listening and closes every connection it accepted (keep-alive ones too): the service is gone. */
  @Override
  public void close() throws IOException {
    server.close();
    for (Socket socket : open) {
      socket.close();
    }
  }
}
