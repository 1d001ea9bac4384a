package io.mailgate.bench;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import java.util.Locale;

/**
 * The fake POP3 backend's side of one connection (RFC 1939, RFC 5034 AUTH): USER/PASS and AUTH accept anyone; the
 * maildrop holds the one benchmark message.
 */
final class Pop3ServerHandler extends LineHandler {

  private final BackendSettings settings;
  private boolean saslPending;

  Pop3ServerHandler(BackendSettings settings) {
    this.settings = settings;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(Wire.ascii(ctx.alloc(), "+OK fake POP3 backend ready.\r\n"));
    ctx.fireChannelActive();
  }

  @Override
  protected void onLine(ChannelHandlerContext ctx, String line) {
    if (saslPending) {
      saslPending = false;
      reply(ctx, "*".equals(line) ? "-ERR AUTH cancelled" : "+OK Logged in.");
      return;
    }
    int space = line.indexOf(' ');
    String command = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
    String rest = space < 0 ? "" : line.substring(space + 1).trim();
    int size = settings.messageSize();
    switch (command) {
      case "USER":
        reply(ctx, "+OK");
        break;
      case "PASS":
        reply(ctx, "+OK Logged in.");
        break;
      case "AUTH":
        if (rest.isEmpty()) {
          reply(ctx, "+OK\r\nPLAIN\r\nXOAUTH2\r\nOAUTHBEARER\r\n.");
        } else if (rest.indexOf(' ') > 0) {
          reply(ctx, "+OK Logged in.");
        } else {
          saslPending = true;
          reply(ctx, "+ ");
        }
        break;
      case "CAPA":
        reply(ctx, "+OK\r\nUSER\r\nSASL PLAIN XOAUTH2 OAUTHBEARER\r\nUIDL\r\nTOP\r\nPIPELINING\r\n.");
        break;
      case "STAT":
        reply(ctx, "+OK 1 " + size);
        break;
      case "LIST":
        reply(ctx, rest.isEmpty() ? "+OK 1 messages\r\n1 " + size + "\r\n." : "+OK 1 " + size);
        break;
      case "UIDL":
        reply(ctx, rest.isEmpty() ? "+OK\r\n1 bench-1\r\n." : "+OK 1 bench-1");
        break;
      case "RETR":
      case "TOP":
        ctx.write(Wire.ascii(ctx.alloc(), "+OK " + size + " octets\r\n"));
        ctx.write(settings.message().retainedDuplicate());
        reply(ctx, ".");
        break;
      case "NOOP":
      case "RSET":
      case "DELE":
        reply(ctx, "+OK");
        break;
      case "QUIT":
        ctx.writeAndFlush(Wire.ascii(ctx.alloc(), "+OK Logging out.\r\n")).addListener(ChannelFutureListener.CLOSE);
        break;
      default:
        reply(ctx, "-ERR unknown command");
    }
  }

  private static void reply(ChannelHandlerContext ctx, String text) {
    ctx.write(Wire.ascii(ctx.alloc(), text + "\r\n"));
  }
}
