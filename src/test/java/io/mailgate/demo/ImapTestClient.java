package io.mailgate.demo;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A raw-socket IMAP client for tests: sends exact bytes and reads lines and literals with a 5-second limit. */
final class ImapTestClient implements AutoCloseable {

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  ImapTestClient(int port) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    socket.setSoTimeout(5000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /** Sends {@code text} as UTF-8, exactly (no line end added). */
  void send(String text) throws IOException {
    send(text.getBytes(StandardCharsets.UTF_8));
  }

  void send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Reads one line, without its CRLF; throws at end of stream. */
  String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed after \"" + line.toString(StandardCharsets.UTF_8) + "\"");
      }
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
      }
      line.write(b);
    }
  }

  /** Reads exactly {@code n} octets. */
  byte[] readExactly(int n) throws IOException {
    return in.readNBytes(n);
  }

  /** Lines up to and including the one starting with {@code tag + " "}; literal octets are kept in the lines. */
  List<String> readUntilTagged(String tag) throws IOException {
    List<String> lines = new ArrayList<>();
    while (true) {
      String line = readLine();
      lines.add(line);
      if (line.startsWith(tag + " ")) {
        return lines;
      }
    }
  }

  /** Sends a command line (CRLF added) and returns every line up to its tagged reply. */
  List<String> command(String tag, String rest) throws IOException {
    send(tag + " " + rest + "\r\n");
    return readUntilTagged(tag);
  }

  /** Sends {@code line} and CRLF (a SASL response) and returns the next line. */
  String sendLineAndRead(String line) throws IOException {
    send(line + "\r\n");
    return readLine();
  }

  /** True when the server closed the connection within the read limit without sending anything more. */
  boolean closedByServer() throws IOException {
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      // A reset is also the server closing.
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
