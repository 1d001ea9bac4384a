package io.mailgate.auth;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Incremental parser of an auth_http response head with nginx's rules (reference §3.4): the status line is
 * optional (skipped when the response starts with {@code HTTP/}), CRLF or a bare LF ends a line, a header name is
 * {@code [A-Za-z0-9][A-Za-z0-9-]*}, values lose leading and trailing spaces, an empty line ends the head.
 * It consumes bytes up to and including the empty line and leaves the rest (the body) in the buffer.
 */
final class AuthResponseParser {

  /** Bound on the status line plus headers (nginx uses a fixed 1 KB buffer; we allow larger SASL errors). */
  static final int MAX_HEAD_BYTES = 16 * 1024;

  /** What {@link #feed} found. */
  enum Status {
    /** The head is not complete yet. */
    NEED_MORE,
    /** The empty line was read; {@link #response()} is ready. */
    DONE,
    /** A bare CR in the status line. */
    INVALID_RESPONSE,
    /** A bad header name, or a bare CR in the header section. */
    INVALID_HEADER,
    /** The head exceeds {@link #MAX_HEAD_BYTES}. */
    TOO_LARGE
  }

  private enum State {
    STATUS_PREFIX, STATUS_LINE, STATUS_CR, LINE_START, NAME, BEFORE_VALUE, VALUE, LINE_CR, HEAD_CR
  }

  private static final byte[] HTTP_PREFIX = "HTTP/".getBytes(StandardCharsets.US_ASCII);

  private State state = State.STATUS_PREFIX;
  private Status outcome = Status.NEED_MORE;
  private int consumed;
  private int prefixMatched;
  private final ByteArrayOutputStream statusLine = new ByteArrayOutputStream();
  private final ByteArrayOutputStream name = new ByteArrayOutputStream();
  private final ByteArrayOutputStream value = new ByteArrayOutputStream();
  private boolean hasStatusLine;
  private final Map<String, byte[]> headers = new HashMap<>();

  /** Reads from {@code in} until the head ends, an error is found or {@code in} is empty. */
  Status feed(ByteBuf in) {
    while (outcome == Status.NEED_MORE && in.isReadable()) {
      outcome = step(in.readByte());
      consumed++;
      if (outcome == Status.NEED_MORE && consumed >= MAX_HEAD_BYTES) {
        outcome = Status.TOO_LARGE;
      }
    }
    return outcome;
  }

  /** The parsed head; only after {@link #feed} returned {@link Status#DONE}. */
  AuthResponse response() {
    if (outcome != Status.DONE) {
      throw new IllegalStateException("response head not complete: " + outcome);
    }
    Optional<String> line = hasStatusLine
        ? Optional.of(statusLine.toString(StandardCharsets.ISO_8859_1))
        : Optional.empty();
    return new AuthResponse(line, Map.copyOf(headers));
  }

  private Status step(byte b) {
    switch (state) {
      case STATUS_PREFIX:
        return statusPrefix(b);
      case STATUS_LINE:
        if (b == '\r') {
          state = State.STATUS_CR;
        } else if (b == '\n') {
          state = State.LINE_START;
        } else {
          statusLine.write(b);
        }
        return Status.NEED_MORE;
      case STATUS_CR:
        if (b != '\n') {
          return Status.INVALID_RESPONSE;
        }
        state = State.LINE_START;
        return Status.NEED_MORE;
      default:
        return headerStep(b);
    }
  }

  private Status statusPrefix(byte b) {
    if (b == HTTP_PREFIX[prefixMatched]) {
      prefixMatched++;
      if (prefixMatched == HTTP_PREFIX.length) {
        hasStatusLine = true;
        statusLine.write(HTTP_PREFIX, 0, HTTP_PREFIX.length);
        state = State.STATUS_LINE;
      }
      return Status.NEED_MORE;
    }
    // Not a status line: what was read so far is the start of the first header (nginx re-parses it as one).
    state = State.LINE_START;
    for (int i = 0; i < prefixMatched; i++) {
      Status s = headerStep(HTTP_PREFIX[i]);
      if (s != Status.NEED_MORE) {
        return s;
      }
    }
    return headerStep(b);
  }

  private Status headerStep(byte b) {
    switch (state) {
      case LINE_START:
        if (b == '\r') {
          state = State.HEAD_CR;
        } else if (b == '\n') {
          return Status.DONE;
        } else if (isAlnum(b)) {
          name.reset();
          value.reset();
          name.write(b);
          state = State.NAME;
        } else {
          return Status.INVALID_HEADER;
        }
        return Status.NEED_MORE;
      case NAME:
        if (isAlnum(b) || b == '-') {
          name.write(b);
        } else if (b == ':') {
          state = State.BEFORE_VALUE;
        } else {
          // A name ended by the line end is a header with an empty value, as in nginx.
          return lineEnd(b);
        }
        return Status.NEED_MORE;
      case BEFORE_VALUE:
        if (b == ' ') {
          return Status.NEED_MORE;
        }
        if (b == '\r' || b == '\n') {
          return lineEnd(b);
        }
        value.write(b);
        state = State.VALUE;
        return Status.NEED_MORE;
      case VALUE:
        if (b == '\r' || b == '\n') {
          return lineEnd(b);
        }
        value.write(b);
        return Status.NEED_MORE;
      case LINE_CR:
        if (b != '\n') {
          return Status.INVALID_HEADER;
        }
        emit();
        state = State.LINE_START;
        return Status.NEED_MORE;
      case HEAD_CR:
        return b == '\n' ? Status.DONE : Status.INVALID_HEADER;
      default:
        throw new IllegalStateException(state.name());
    }
  }

  private Status lineEnd(byte b) {
    if (b == '\r') {
      state = State.LINE_CR;
      return Status.NEED_MORE;
    }
    if (b == '\n') {
      emit();
      state = State.LINE_START;
      return Status.NEED_MORE;
    }
    return Status.INVALID_HEADER;
  }

  private void emit() {
    byte[] v = value.toByteArray();
    int end = v.length;
    while (end > 0 && v[end - 1] == ' ') {
      end--;
    }
    byte[] trimmed = end == v.length ? v : Arrays.copyOf(v, end);
    headers.put(name.toString(StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT), trimmed);
  }

  private static boolean isAlnum(byte b) {
    return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9');
  }
}
