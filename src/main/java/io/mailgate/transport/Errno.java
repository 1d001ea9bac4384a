package io.mailgate.transport;

import io.netty.channel.unix.Errors;
import java.net.NoRouteToHostException;
import java.nio.channels.NotYetConnectedException;
import java.util.Locale;

/**
 * The errno of a failed socket call, written as nginx writes it ({@code 24: Too many open files}): operators grep for
 * the number. Netty's native transport carries the number ({@link Errors.NativeIoException#expectedErr()}, negated);
 * NIO gives only the JDK's text, which is matched for the descriptor limits, the case that matters here.
 */
public final class Errno {

  /** EMFILE (the process's descriptor limit, RLIMIT_NOFILE). */
  public static final int EMFILE = 24;
  /** ENFILE (the system's file table). */
  public static final int ENFILE = 23;

  private Errno() {}

  /** The errno in {@code cause} or one of its causes; 0 when none is known. */
  public static int of(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof Errors.NativeIoException nativeIo && nativeIo.expectedErr() != 0) {
        return Math.abs(nativeIo.expectedErr());
      }
      String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
      if (message.contains("too many open files in system")) {
        return ENFILE;
      }
      if (message.contains("too many open files")) {
        return EMFILE;
      }
    }
    return 0;
  }

  /** Whether {@code cause} is a descriptor limit (EMFILE or ENFILE). */
  public static boolean isDescriptorLimit(Throwable cause) {
    int errno = of(cause);
    return errno == EMFILE || errno == ENFILE;
  }

  /**
   * {@code 24: Too many open files}, {@code 111: Connection refused}...: the errno as nginx writes it inside its
   * {@code connect() failed (...)} lines; else the exception's own message without the peer address Netty appends
   * ({@code ...: /127.0.0.1:1}, the log line names the peer already), or its class name when it has no message.
   */
  public static String describe(Throwable cause) {
    if (cause == null) {
      return "unknown";
    }
    int errno = of(cause);
    String message = cause.getMessage() == null ? "" : cause.getMessage();
    if (errno == EMFILE) {
      return "24: Too many open files";
    }
    if (errno == ENFILE) {
      return "23: Too many open files in system";
    }
    // Netty's native messages end in the strerror text: "accept(..) failed with error(-103): Software caused..."
    int strerror = message.lastIndexOf("): ");
    if (errno != 0 && strerror > 0) {
      return errno + ": " + withoutPeer(message.substring(strerror + 3));
    }
    String known = byText(cause, message.toLowerCase(Locale.ROOT));
    if (known != null) {
      return known;
    }
    return message.isEmpty() ? cause.getClass().getSimpleName() : withoutPeer(message);
  }

  /**
   * The errno of the failures that NIO (and some of Netty's epoll paths) report by text only: each transport words
   * them differently ({@code finishConnect(..) failed: Connection refused: /127.0.0.1:1} with epoll, {@code
   * Connection refused: /127.0.0.1:1} with NIO).
   */
  private static String byText(Throwable cause, String lower) {
    if (lower.contains("connection refused")) {
      return "111: Connection refused";
    }
    if (cause instanceof NoRouteToHostException || lower.contains("no route to host")) {
      return "113: No route to host";
    }
    if (lower.contains("network is unreachable")) {
      return "101: Network is unreachable";
    }
    if (lower.contains("connection reset by peer")) {
      return "104: Connection reset by peer";
    }
    if (cause instanceof NotYetConnectedException) {
      // A connecting socket found closed without an error left to read (netty/netty#10411).
      return "107: Transport endpoint is not connected";
    }
    return null;
  }

  private static String withoutPeer(String message) {
    int annotation = message.indexOf(": /");
    return annotation > 0 ? message.substring(0, annotation) : message;
  }
}
