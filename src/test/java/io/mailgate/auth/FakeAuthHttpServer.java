package io.mailgate.auth;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP server for tests: records each raw request head and answers with scripted raw bytes, one
 * thread per connection.
 */
final class FakeAuthHttpServer implements AutoCloseable {

  /** What to do with the next request, on whatever connection it arrives. */
  record Reply(byte[] bytes, boolean closeAfter, boolean answer) {

    /** Sends {@code raw} and closes the connection. */
    static Reply thenClose(String raw) {
      return new Reply(raw.getBytes(StandardCharsets.ISO_8859_1), true, true);
    }

    /** Sends {@code raw} and waits for the next request on the same connection. */
    static Reply keepOpen(String raw) {
      return new Reply(raw.getBytes(StandardCharsets.ISO_8859_1), false, true);
    }

    /** Sends nothing and keeps the connection open until the client closes it. */
    static Reply silence() {
      return new Reply(new byte[0], false, false);
    }

    /** Closes the connection without answering. */
    static Reply hangUp() {
      return new Reply(new byte[0], true, false);
    }
  }

  private final ServerSocket server;
  private final BlockingQueue<Reply> replies = new LinkedBlockingQueue<>();
  private final List<byte[]> requests = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger closed = new AtomicInteger();

  FakeAuthHttpServer() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "fake-auth-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Where the server listens. */
  InetSocketAddress address() {
    return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
  }

  /** Queues the handling of the next request. */
  FakeAuthHttpServer then(Reply reply) {
    replies.add(reply);
    return this;
  }

  /** Raw request heads received so far, in order. */
  List<byte[]> requests() {
    return requests;
  }

  /** Connections accepted so far. */
  int connections() {
    return accepted.get();
  }

  /** Connections finished so far (closed by either side). */
  int closedConnections() {
    return closed.get();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        accepted.incrementAndGet();
        sockets.add(socket);
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
      for (byte[] request = readHead(in); request != null; request = readHead(in)) {
        requests.add(request);
        Reply reply = replies.poll(10, TimeUnit.SECONDS);
        if (reply == null || (!reply.answer() && !reply.closeAfter())) {
          while (in.read() >= 0) {
            // Silence: wait for the client to give up.
          }
          return;
        }
        out.write(reply.bytes());
        out.flush();
        if (reply.closeAfter()) {
          return;
        }
      }
    } catch (IOException | InterruptedException e) {
      // The test ended or the client reset the connection.
    } finally {
      closed.incrementAndGet();
    }
  }

  /** One request head up to the empty line, or null at end of stream. */
  private static byte[] readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int last4 = 0;
    int c;
    while ((c = in.read()) >= 0) {
      head.write(c);
      last4 = (last4 << 8) | c;
      if (last4 == 0x0D0A0D0A) {
        return head.toByteArray();
      }
    }
    return null;
  }
}
