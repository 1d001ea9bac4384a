package io.mailgate.bench;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import java.util.Locale;

/**
 * The fake SMTP backend's side of one connection (RFC 5321, RFC 4954 AUTH, Postfix's XCLIENT): everything is
 * accepted and every message is dropped. XCLIENT is answered with a new {@code 220} greeting, as Postfix does.
 */
final class SmtpServerHandler extends LineHandler {

  private final BackendSettings settings;
  private int saslLinesPending;

  SmtpServerHandler(BackendSettings settings) {
    this.settings = settings;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(Wire.ascii(ctx.alloc(), greeting() + "\r\n"));
    ctx.fireChannelActive();
  }

  @Override
  protected void onLine(ChannelHandlerContext ctx, String line) {
    if (saslLinesPending > 0) {
      saslLinesPending--;
      if ("*".equals(line)) {
        saslLinesPending = 0;
        reply(ctx, "501 5.7.0 Authentication cancelled");
      } else {
        reply(ctx, saslLinesPending > 0 ? "334 UGFzc3dvcmQ6" : "235 2.7.0 Authentication successful");
      }
      return;
    }
    int space = line.indexOf(' ');
    String command = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
    String rest = space < 0 ? "" : line.substring(space + 1).trim();
    switch (command) {
      case "EHLO":
        reply(ctx, "250-" + settings.hostname() + "\r\n250-PIPELINING\r\n250-SIZE 104857600\r\n250-8BITMIME\r\n"
            + "250-ENHANCEDSTATUSCODES\r\n250-AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER\r\n"
            + "250-XCLIENT NAME ADDR PROTO HELO LOGIN\r\n250 SMTPUTF8");
        break;
      case "HELO":
        reply(ctx, "250 " + settings.hostname());
        break;
      case "XCLIENT":
        reply(ctx, greeting());
        break;
      case "AUTH":
        auth(ctx, rest);
        break;
      case "MAIL":
        reply(ctx, "250 2.1.0 Ok");
        break;
      case "RCPT":
        reply(ctx, "250 2.1.5 Ok");
        break;
      case "DATA":
        reply(ctx, "354 End data with <CR><LF>.<CR><LF>");
        expectData();
        break;
      case "RSET":
      case "NOOP":
        reply(ctx, "250 2.0.0 Ok");
        break;
      case "QUIT":
        ctx.writeAndFlush(Wire.ascii(ctx.alloc(), "221 2.0.0 Bye\r\n")).addListener(ChannelFutureListener.CLOSE);
        break;
      default:
        reply(ctx, "502 5.5.2 Error: command not recognized");
    }
  }

  @Override
  protected void onDataEnd(ChannelHandlerContext ctx, long bytes) {
    reply(ctx, "250 2.0.0 Ok: queued as BENCH1");
  }

  private void auth(ChannelHandlerContext ctx, String rest) {
    String[] words = rest.split(" ");
    String mechanism = words[0].toUpperCase(Locale.ROOT);
    if ("LOGIN".equals(mechanism)) {
      saslLinesPending = words.length > 1 ? 1 : 2;
      reply(ctx, words.length > 1 ? "334 UGFzc3dvcmQ6" : "334 VXNlcm5hbWU6");
    } else if (words.length > 1) {
      reply(ctx, "235 2.7.0 Authentication successful");
    } else {
      saslLinesPending = 1;
      reply(ctx, "334 ");
    }
  }

  private String greeting() {
    return "220 " + settings.hostname() + " ESMTP fake backend";
  }

  private static void reply(ChannelHandlerContext ctx, String text) {
    ctx.write(Wire.ascii(ctx.alloc(), text + "\r\n"));
  }
}
