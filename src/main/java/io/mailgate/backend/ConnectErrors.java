package io.mailgate.backend;

import java.net.NoRouteToHostException;
import java.util.Locale;

/**
 * Describes a failed connect as nginx's error log does, {@code 111: Connection refused}: the errno number is what
 * operators grep for. Netty's messages differ by transport ({@code finishConnect(..) failed: Connection refused:
 * /127.0.0.1:1} with epoll, {@code Connection refused: /127.0.0.1:1} with NIO), so the reason is matched by its text.
 */
public final class ConnectErrors {

  private ConnectErrors() {}

  /** {@code 111: Connection refused}, {@code 113: No route to host}...; else the exception's own message. */
  public static String describe(Throwable cause) {
    if (cause == null) {
      return "unknown";
    }
    String message = cause.getMessage() == null ? "" : cause.getMessage();
    String lower = message.toLowerCase(Locale.ROOT);
    if (lower.contains("connection refused")) {
      return "111: Connection refused";
    }
    if (cause instanceof NoRouteToHostException || lower.contains("no route to host")) {
      return "113: No route to host";
    }
    if (lower.contains("network is unreachable")) {
      return "101: Network is unreachable";
    }
    // socket() at the process's or the system's descriptor limit (Netty wraps the errno in a ChannelException).
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String rootText = root.getMessage() == null ? "" : root.getMessage().toLowerCase(Locale.ROOT);
    if (lower.contains("too many open files in system") || rootText.contains("too many open files in system")) {
      return "23: Too many open files in system";
    }
    if (lower.contains("too many open files") || rootText.contains("too many open files")) {
      return "24: Too many open files";
    }
    if (message.isEmpty()) {
      return cause.getClass().getSimpleName();
    }
    int annotation = message.indexOf(": /");
    String text = annotation > 0 ? message.substring(0, annotation) : message;
    return text;
  }
}
