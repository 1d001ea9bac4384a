package io.mailgate.demo;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.List;

/**
 * Writes the untagged FETCH responses of one session (RFC 3501 §7.4.2). Message data goes out as literals of the exact
 * octet count. {@code \Seen} is kept per connection only: the store itself never changes.
 */
final class FetchResponder {

  private final BitSet seen = new BitSet();

  /** Forgets the {@code \Seen} flags set so far (a new SELECT starts afresh). */
  void reset() {
    seen.clear();
  }

  /**
   * Writes (without flushing) {@code * seq FETCH (...)} for one message.
   *
   * @param items the requested items; for UID FETCH, UID is added first unless present (RFC 3501 §6.4.8)
   * @param readWrite whether the mailbox was opened with SELECT: only then does fetching set {@code \Seen}
   */
  void write(ChannelHandlerContext ctx, int seq, DemoMessage message, List<FetchItem> items, boolean byUid,
      boolean readWrite, String internalDate) {
    boolean flagsChanged = false;
    if (readWrite && !seen.get(seq) && items.stream().anyMatch(FetchItem::setsSeen)) {
      seen.set(seq);
      flagsChanged = true;
    }
    ByteBuf out = ctx.alloc().buffer(message.octets().length + 128);
    ascii(out, "* " + seq + " FETCH (");
    String separator = "";
    if (byUid && items.stream().noneMatch(i -> i.kind() == FetchItem.Kind.UID)) {
      ascii(out, "UID " + message.uid());
      separator = " ";
    }
    // RFC 3501 §6.4.5: when a fetch sets \Seen, the new flags should come back with it. They go before any literal,
    // which simple clients expect to end the response.
    if (flagsChanged && items.stream().noneMatch(i -> i.kind() == FetchItem.Kind.FLAGS)) {
      ascii(out, separator + "FLAGS (\\Seen)");
      separator = " ";
    }
    for (FetchItem item : items) {
      ascii(out, separator);
      separator = " ";
      writeItem(out, seq, message, item, internalDate);
    }
    ascii(out, ")\r\n");
    ctx.write(out);
  }

  private void writeItem(ByteBuf out, int seq, DemoMessage message, FetchItem item, String internalDate) {
    switch (item.kind()) {
      case UID:
        ascii(out, "UID " + message.uid());
        break;
      case FLAGS:
        ascii(out, seen.get(seq) ? "FLAGS (\\Seen)" : "FLAGS ()");
        break;
      case INTERNALDATE:
        ascii(out, "INTERNALDATE \"" + internalDate + "\"");
        break;
      case RFC822_SIZE:
        ascii(out, "RFC822.SIZE " + message.octets().length);
        break;
      case RFC822:
        literal(out, "RFC822", message.octets(), 0, message.octets().length);
        break;
      case RFC822_HEADER:
        literal(out, "RFC822.HEADER", message.octets(), 0, message.headerLength());
        break;
      case RFC822_TEXT:
        literal(out, "RFC822.TEXT", message.octets(), message.headerLength(),
            message.octets().length - message.headerLength());
        break;
      default:
        writeBody(out, message, item);
        break;
    }
  }

  private static void writeBody(ByteBuf out, DemoMessage message, FetchItem item) {
    byte[] section = message.section(item.section());
    String name = "BODY[" + item.section() + "]";
    if (item.partialStart() < 0) {
      literal(out, name, section, 0, section.length);
      return;
    }
    // RFC 3501 §6.4.5: the reply names only the origin octet; past the end, the data is empty.
    int from = (int) Math.min(item.partialStart(), section.length);
    int count = (int) Math.min(item.partialCount(), section.length - from);
    literal(out, name + "<" + item.partialStart() + ">", section, from, count);
  }

  private static void literal(ByteBuf out, String name, byte[] data, int from, int count) {
    ascii(out, name + " {" + count + "}\r\n");
    out.writeBytes(data, from, count);
  }

  private static void ascii(ByteBuf out, String text) {
    out.writeCharSequence(text, StandardCharsets.US_ASCII);
  }
}
