package io.mailgate.transport;

import io.netty.channel.unix.Errors;
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

  /** {@code 24: Too many open files}; the exception's own message when no errno is known. */
  public static String describe(Throwable cause) {
    int errno = of(cause);
    switch (errno) {
      case EMFILE:
        return "24: Too many open files";
      case ENFILE:
        return "23: Too many open files in system";
      default:
        String message = cause.getMessage();
        if (message == null || message.isEmpty()) {
          return cause.getClass().getSimpleName();
        }
        // Netty's native messages end in the strerror text: "accept(..) failed with error(-103): Software caused..."
        int colon = message.lastIndexOf("): ");
        return errno != 0 && colon > 0 ? errno + ": " + message.substring(colon + 3) : message;
    }
  }
}
