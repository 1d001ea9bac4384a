package io.mailgate.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback peer (auth service or backend) that misbehaves at the socket level: each accepted connection runs a
 * {@link Script} on its own daemon thread, which may trickle bytes, stop mid-message, half-close or never read. The
 * fault-matrix tests use it where the well-behaved fakes ({@link FakeAuthServer}, {@link FakeImapBackend}) cannot go.
 */
public final class ScriptedPeer implements AutoCloseable {

  /** What the peer does on one connection; an IOException means mailgate went away, which is not an error here. */
  @FunctionalInterface
  public interface Script {
    void run(Socket socket) throws IOException, InterruptedException;
  }

  private final ServerSocket server;
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile Script script;

  /** Listens on an ephemeral loopback port and runs {@code script} on every connection. */
  public ScriptedPeer(Script script) throws IOException {
    this(0, script);
  }

  /** Listens on loopback {@code port} (0: an ephemeral one) and runs {@code script} on every connection. */
  public ScriptedPeer(int port, Script script) throws IOException {
    this.script = script;
    server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
    LineServer.acceptInBackground(server, "scripted-peer", socket -> {
      accepted.incrementAndGet();
      try (socket) {
        socket.setSoTimeout(30_000);
        this.script.run(socket);
      } catch (IOException e) {
        // mailgate closed its side: the script is over
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  /** Replaces the script for the connections accepted from now on (e.g. the peer recovers). */
  public void respondWith(Script script) {
    this.script = script;
  }

  /** The listening port. */
  public int port() {
    return server.getLocalPort();
  }

  /** How many connections were accepted so far. */
  public int accepted() {
    return accepted.get();
  }

  /** Reads up to and including the next LF; null at end of stream. */
  public static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        return line.toString(StandardCharsets.ISO_8859_1).replaceFirst("\r$", "");
      }
      line.write(b);
    }
    return null;
  }

  /** Reads an HTTP request head (up to the empty line); false when the connection ended first. */
  public static boolean readHttpHead(InputStream in) throws IOException {
    String line;
    while ((line = readLine(in)) != null) {
      if (line.isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /** Writes {@code text} byte for byte (ISO-8859-1) and flushes. */
  public static void write(Socket socket, String text) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** Writes {@code text} one byte every {@code millis}, stopping quietly when mailgate has closed. */
  public static void trickle(Socket socket, String text, int millis) throws IOException, InterruptedException {
    OutputStream out = socket.getOutputStream();
    for (byte b : text.getBytes(StandardCharsets.ISO_8859_1)) {
      out.write(b);
      out.flush();
      Thread.sleep(millis);
    }
  }

  /** Reads and drops input until mailgate closes (or the socket's timeout passes). */
  public static void drain(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    byte[] sink = new byte[8192];
    while (in.read(sink) >= 0) {
      // not answered
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
