package io.mailgate.backend;

import java.net.NoRouteToHostException;
import java.nio.channels.NotYetConnectedException;
import java.util.Locale;

/**
 * Describes a failed connect as nginx's error log does, {@code 111: Connection refused}: the errno number is what
 * operators grep for. Netty's messages differ by transport ({@code finishConnect(..) failed: Connection refused:
 * /127.0.0.1:1} with epoll, {@code Connection refused: /127.0.0.1:1} with NIO), so the reason is matched by its text.
 */
final class ConnectErrors {

  private ConnectErrors() {}

  /** {@code 111: Connection refused}, {@code 113: No route to host}...; else the exception's own message. */
  static String describe(Throwable cause) {
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
    if (cause instanceof NotYetConnectedException) {
      // The connecting socket was found closed without an error left to read (netty/netty#10411).
      return "107: Transport endpoint is not connected";
    }
    if (lower.contains("network is unreachable")) {
      return "101: Network is unreachable";
    }
    if (message.isEmpty()) {
      return cause.getClass().getSimpleName();
    }
    int annotation = message.indexOf(": /");
    String text = annotation > 0 ? message.substring(0, annotation) : message;
    return text;
  }
}
