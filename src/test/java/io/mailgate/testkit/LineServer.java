package io.mailgate.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The socket side of the fake line-protocol backends: a loopback server socket, a daemon thread accepting and one
 * daemon thread per connection running the backend's {@link Dialogue}, and the lines those dialogues record. A backend
 * supplies only its protocol.
 */
final class LineServer implements AutoCloseable {

  /** A backend's side of one connection. */
  @FunctionalInterface
  interface Dialogue {
    /** Talks to the proxy until the conversation is over; an IOException means the proxy went away. */
    void converse(Connection connection) throws IOException;
  }

  private final ServerSocket server;
  private final Charset readCharset;
  private final List<String> received = new CopyOnWriteArrayList<>();

  /** Listens on an ephemeral loopback port; threads are named after {@code name}, lines read as {@code readCharset}. */
  LineServer(String name, Charset readCharset, Dialogue dialogue) throws IOException {
    this.readCharset = readCharset;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptInBackground(server, name, socket -> serve(socket, dialogue));
  }

  /** Accepts on a daemon thread {@code name} until {@code server} closes, each socket served on a thread of its own. */
  static void acceptInBackground(ServerSocket server, String name, Consumer<Socket> serve) {
    Thread acceptor = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket socket = server.accept();
          Thread connection = new Thread(() -> serve.accept(socket), name + "-conn");
          connection.setDaemon(true);
          connection.start();
        } catch (IOException e) {
          return;
        }
      }
    }, name);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The listening port. */
  int port() {
    return server.getLocalPort();
  }

  /** The lines the dialogues recorded, over all connections, in order. */
  List<String> received() {
    return received;
  }

  private void serve(Socket socket, Dialogue dialogue) {
    try (socket) {
      dialogue.converse(new Connection(socket));
    } catch (IOException e) {
      // the proxy went away: nothing more to answer
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  /** One accepted connection, read a line (or a counted literal) at a time. */
  final class Connection {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private Connection(Socket socket) throws IOException {
      this.socket = socket;
      this.in = new BufferedInputStream(socket.getInputStream());
      this.out = socket.getOutputStream();
    }

    /** How long a read may wait before the connection is given up. */
    void timeout(int millis) throws IOException {
      socket.setSoTimeout(millis);
    }

    /** The next line without its LF (and CR before it), or null at the end of the stream. */
    String readLine() throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) >= 0) {
        if (b == '\n') {
          String s = line.toString(readCharset);
          return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
        }
        line.write(b);
      }
      return null;
    }

    /** {@link #readLine()}, recording the line in {@link LineServer#received()}. */
    String readRecordedLine() throws IOException {
      String line = readLine();
      if (line != null) {
        record(line);
      }
      return line;
    }

    /** Adds {@code line} to {@link LineServer#received()}. */
    void record(String line) {
      received.add(line);
    }

    /** Exactly {@code n} bytes (fewer at the end of the stream), as ISO-8859-1 text. */
    String readBytes(int n) throws IOException {
      return new String(in.readNBytes(n), StandardCharsets.ISO_8859_1);
    }

    /** Reads and drops everything until the peer closes or the timeout strikes. */
    void swallowInput() throws IOException {
      while (in.read() >= 0) {
        // nothing to answer
      }
    }

    /** Sends {@code text} as is, in ISO-8859-1. */
    void write(String text) throws IOException {
      out.write(text.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }

    /** Sends {@code line} and CRLF. */
    void writeLine(String line) throws IOException {
      write(line + "\r\n");
    }
  }
}
