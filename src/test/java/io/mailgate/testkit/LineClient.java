package io.mailgate.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A blocking line-oriented test client with bounded waits (every read gives up after 5 s). */
public final class LineClient implements AutoCloseable {

  private final Socket socket;
  private final InputStream in;

  /** Connects to 127.0.0.1:{@code port}. */
  public LineClient(int port) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    socket.setSoTimeout(5000);
    in = new BufferedInputStream(socket.getInputStream());
  }

  /**
   * Connects to 127.0.0.1:{@code port} from {@code sourceAddress} (any 127.x.y.z on Linux): a client that a proxy or
   * a limit must tell apart from the test's other connections.
   */
  public LineClient(String sourceAddress, int port) throws IOException {
    socket = new Socket();
    socket.bind(new InetSocketAddress(sourceAddress, 0));
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    socket.setSoTimeout(5000);
    in = new BufferedInputStream(socket.getInputStream());
  }

  /** This end's port: the client port a proxy passes on (IMAP ID {@code x-originating-port}, XCLIENT PORT=). */
  public int localPort() {
    return socket.getLocalPort();
  }

  /** Sends {@code line} plus CRLF. */
  public void send(String line) throws IOException {
    sendRaw(line + "\r\n");
  }

  /** Sends bytes as they are (chars byte for byte). */
  public void sendRaw(String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
  }

  /** The next line without CRLF; null at end of stream. Fails the test after 5 s of silence. */
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

  /** Whether bytes from the server are waiting to be read, polling for at most {@code millis}. */
  public boolean hasInputWithin(int millis) throws IOException {
    long deadline = System.nanoTime() + millis * 1_000_000L;
    while (in.available() == 0) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  /** The next {@code n} lines (null entries past the end of stream). */
  public java.util.List<String> readLines(int n) throws IOException {
    java.util.List<String> lines = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      lines.add(readLine());
    }
    return lines;
  }

  /** True if the server closed the connection within {@code millis} without sending anything more. */
  public boolean closedWithin(int millis) throws IOException {
    socket.setSoTimeout(millis);
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    } finally {
      socket.setSoTimeout(5000);
    }
  }

  /** Ends this side's output (TCP half-close): the server reads end of stream, this side can still read. */
  public void shutdownOutput() throws IOException {
    socket.shutdownOutput();
  }

  /** The raw output stream, for bulk writes. */
  public java.io.OutputStream output() throws IOException {
    return socket.getOutputStream();
  }

  /** Reads and drops {@code n} bytes (fewer at end of stream); how many were read. */
  public long skip(long n) throws IOException {
    long left = n;
    byte[] sink = new byte[65536];
    while (left > 0) {
      int r = in.read(sink, 0, (int) Math.min(sink.length, left));
      if (r < 0) {
        break;
      }
      left -= r;
    }
    return n - left;
  }

  /** True if the server closed the connection within {@code millis}, whatever it sent before (e.g. a TLS alert). */
  public boolean endsWithin(int millis) throws IOException {
    long deadline = System.nanoTime() + millis * 1_000_000L;
    try {
      while (System.nanoTime() < deadline) {
        socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        if (in.read() < 0) {
          return true;
        }
      }
      return false;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    } finally {
      socket.setSoTimeout(5000);
    }
  }

  /** Sets the read timeout. */
  public void timeout(int millis) throws IOException {
    socket.setSoTimeout(millis);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
