package io.mailgate.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * A blocking line client for IMAP, POP3 and SMTP that speaks TLS from the first byte ({@link #implicit}) or upgrades
 * a cleartext connection after a STARTTLS/STLS reply ({@link #plain} then {@link #startTls}). Every read gives up
 * after 5 s.
 */
public final class TlsLineClient implements AutoCloseable {

  private static final String HOST = "127.0.0.1";
  private static final int TIMEOUT_MILLIS = 5000;

  private final Socket plain;
  private final int port;
  private SSLSocket tls;
  private InputStream in;
  private OutputStream out;

  private TlsLineClient(Socket plain, int port) throws IOException {
    this.plain = plain;
    this.port = port;
    this.in = new BufferedInputStream(plain.getInputStream());
    this.out = plain.getOutputStream();
  }

  /** A cleartext connection to 127.0.0.1:{@code port}; nothing has been read yet. */
  public static TlsLineClient plain(int port) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress(HOST, port), TIMEOUT_MILLIS);
    socket.setSoTimeout(TIMEOUT_MILLIS);
    return new TlsLineClient(socket, port);
  }

  /** Connects and handshakes at once (IMAPS, POP3S, SMTPS); the handshake's failure is thrown. */
  public static TlsLineClient implicit(int port, TlsClientOptions options) throws IOException {
    TlsLineClient client = plain(port);
    try {
      client.startTls(options);
    } catch (IOException | RuntimeException e) {
      client.close();
      throw e;
    }
    return client;
  }

  /**
   * Switches to TLS now (after the server's STARTTLS reply has been read). Fails if the server sent anything more in
   * clear after that reply: nothing may follow it outside TLS.
   */
  public TlsLineClient startTls(TlsClientOptions options) throws IOException {
    if (in.available() > 0) {
      throw new AssertionError("the server sent " + in.available() + " cleartext bytes after its STARTTLS reply");
    }
    tls = options.handshake(plain, HOST, port);
    tls.setSoTimeout(TIMEOUT_MILLIS);
    in = new BufferedInputStream(tls.getInputStream());
    out = tls.getOutputStream();
    return this;
  }

  /** The TLS session; fails when the connection is still in clear. */
  public SSLSession session() {
    if (tls == null) {
      throw new IllegalStateException("not in TLS");
    }
    return tls.getSession();
  }

  /** The ALPN protocol agreed on, "" when none. */
  public String applicationProtocol() {
    String agreed = tls.getApplicationProtocol();
    return agreed == null ? "" : agreed;
  }

  /** The server's leaf certificate. */
  public X509Certificate serverCertificate() throws SSLPeerUnverifiedException {
    return (X509Certificate) session().getPeerCertificates()[0];
  }

  /** Sends {@code line} plus CRLF. */
  public void send(String line) throws IOException {
    sendRaw(line + "\r\n");
  }

  /** Sends the chars byte for byte (ISO-8859-1), in one write. */
  public void sendRaw(String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /**
   * Writes bytes on the TCP connection beneath TLS, as a man in the middle would inject them into the encrypted
   * stream.
   */
  public void sendBeneathTls(String text) throws IOException {
    OutputStream raw = plain.getOutputStream();
    raw.write(text.getBytes(StandardCharsets.ISO_8859_1));
    raw.flush();
  }

  /** Sets the read timeout of the connection (TLS or not), for the reads that follow. */
  public void timeout(int millis) throws IOException {
    (tls != null ? tls : plain).setSoTimeout(millis);
  }

  /** Half-closes the connection beneath any TLS (no close_notify): the server reads the end of the stream. */
  public void shutdownOutput() throws IOException {
    plain.shutdownOutput();
  }

  /** The next line without CRLF; null at end of stream. */
  public String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        String s = line.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }

  /** Lines up to and including {@code last} (e.g. POP3's {@code .}); stops early at end of stream. */
  public List<String> readUntil(String last) throws IOException {
    List<String> lines = new ArrayList<>();
    String line;
    while ((line = readLine()) != null) {
      lines.add(line);
      if (line.equals(last)) {
        break;
      }
    }
    return lines;
  }

  /** An SMTP reply: lines up to the one whose fourth char is not {@code -}. */
  public List<String> readReply() throws IOException {
    List<String> lines = new ArrayList<>();
    String line;
    while ((line = readLine()) != null) {
      lines.add(line);
      if (line.length() < 4 || line.charAt(3) != '-') {
        break;
      }
    }
    return lines;
  }

  /**
   * Everything the server sends until it closes (or resets) the connection; fails if it is still open after
   * {@code millis}.
   */
  public byte[] readToEnd(int millis) throws IOException {
    Socket socket = tls != null ? tls : plain;
    socket.setSoTimeout(millis);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    try {
      int b;
      while ((b = in.read()) >= 0) {
        all.write(b);
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the connection is still open after " + millis + " ms; got "
          + all.toString(StandardCharsets.ISO_8859_1));
    } catch (IOException reset) {
      // a reset ends the stream as well
    }
    return all.toByteArray();
  }

  /** True if the server closed the connection within {@code millis} without sending anything more. */
  public boolean closedWithin(int millis) throws IOException {
    Socket socket = tls != null ? tls : plain;
    socket.setSoTimeout(millis);
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    } finally {
      if (!socket.isClosed()) {
        socket.setSoTimeout(TIMEOUT_MILLIS);
      }
    }
  }

  @Override
  public void close() throws IOException {
    if (tls != null) {
      tls.close();
    }
    plain.close();
  }
}
