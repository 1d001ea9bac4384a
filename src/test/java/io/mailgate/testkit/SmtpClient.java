package io.mailgate.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A blocking SMTP test client with bounded waits (5 s per read): sends lines, reads whole multi-line replies. */
public final class SmtpClient implements AutoCloseable {

  private final Socket socket;
  private final InputStream in;

  /** Connects to {@code host}:{@code port} ({@code host} may be {@code ::1}). */
  public SmtpClient(String host, int port) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress(host, port), 5000);
    socket.setSoTimeout(5000);
    in = new BufferedInputStream(socket.getInputStream());
  }

  /** Connects to 127.0.0.1:{@code port} from {@code sourceAddress} (any 127.x.y.z on Linux), a client of its own. */
  public SmtpClient(String sourceAddress, String host, int port) throws IOException {
    socket = new Socket();
    socket.bind(new InetSocketAddress(sourceAddress, 0));
    socket.connect(new InetSocketAddress(host, port), 5000);
    socket.setSoTimeout(5000);
    in = new BufferedInputStream(socket.getInputStream());
  }

  /** This end's port: the client port a proxy passes on (XCLIENT PORT=). */
  public int localPort() {
    return socket.getLocalPort();
  }

  /** Sends {@code line} plus CRLF. */
  public void send(String line) throws IOException {
    sendRaw(line + "\r\n");
  }

  /** Sends the chars byte for byte (ISO-8859-1), nothing added. */
  public void sendRaw(String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
  }

  /** The next line without CRLF (bytes as ISO-8859-1); null at end of stream. */
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

  /** The lines of the next reply, up to the one whose fourth char is not {@code -}; empty at end of stream. */
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

  /** The last line of the next reply, or null at end of stream. */
  public String reply() throws IOException {
    List<String> lines = readReply();
    return lines.isEmpty() ? null : lines.get(lines.size() - 1);
  }

  /** Sends a line and returns the last line of its reply. */
  public String command(String line) throws IOException {
    send(line);
    return reply();
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

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
