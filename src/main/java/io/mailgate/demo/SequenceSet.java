package io.mailgate.demo;

import java.util.ArrayList;
import java.util.List;

/**
 * An RFC 3501 §9 {@code sequence-set}: numbers and ranges separated by commas, {@code *} for the largest value in use.
 *
 * @param ranges inclusive low/high pairs, low &lt;= high, with {@code *} already replaced
 */
record SequenceSet(List<long[]> ranges) {

  /**
   * Parses {@code text}.
   *
   * @param largest what {@code *} stands for (the last sequence number or UID; 0 in an empty mailbox)
   */
  static SequenceSet parse(String text, long largest) throws DemoSyntaxException {
    List<long[]> ranges = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      int colon = part.indexOf(':');
      long low = number(colon < 0 ? part : part.substring(0, colon), largest);
      long high = colon < 0 ? low : number(part.substring(colon + 1), largest);
      ranges.add(new long[] {Math.min(low, high), Math.max(low, high)});
    }
    return new SequenceSet(ranges);
  }

  /** Whether {@code n} is in the set. */
  boolean contains(long n) {
    for (long[] range : ranges) {
      if (n >= range[0] && n <= range[1]) {
        return true;
      }
    }
    return false;
  }

  /** The largest number named, {@code *} included. */
  long max() {
    long max = 0;
    for (long[] range : ranges) {
      max = Math.max(max, range[1]);
    }
    return max;
  }

  private static long number(String text, long largest) throws DemoSyntaxException {
    if (text.equals("*")) {
      return largest;
    }
    // nz-number: 1 to 4,294,967,295, no leading zero.
    boolean digits = !text.isEmpty() && text.chars().allMatch(c -> c >= '0' && c <= '9');
    if (!digits || text.length() > 10 || text.charAt(0) == '0') {
      throw new DemoSyntaxException("invalid sequence set");
    }
    long n = Long.parseLong(text);
    if (n > 0xFFFF_FFFFL) {
      throw new DemoSyntaxException("invalid sequence set");
    }
    return n;
  }
}
