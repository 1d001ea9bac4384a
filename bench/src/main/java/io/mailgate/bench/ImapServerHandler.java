package io.mailgate.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The fake IMAP backend's side of one connection: enough of RFC 3501 for a proxy to log in (LOGIN with atoms,
 * quoted strings and literals, AUTHENTICATE PLAIN/XOAUTH2/OAUTHBEARER with or without an initial response) and for
 * the relay benchmarks (SELECT, FETCH of one message, APPEND, NOOP, IDLE, LOGOUT). Any user and password is
 * accepted; nothing is stored.
 */
final class ImapServerHandler extends LineHandler {

  /** A literal argument, kept apart from the text around it. */
  private record LiteralArg(String value) {}

  private final BackendSettings settings;
  private final List<Object> pieces = new ArrayList<>();
  private String saslTag;
  private String idleTag;
  private int appended;

  ImapServerHandler(BackendSettings settings) {
    this.settings = settings;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(Wire.ascii(ctx.alloc(),
        "* OK [CAPABILITY " + settings.imapCapabilities(false) + "] fake backend ready.\r\n"));
    ctx.fireChannelActive();
  }

  @Override
  protected void onLine(ChannelHandlerContext ctx, String line) {
    if (saslTag != null) {
      String tag = saslTag;
      saslTag = null;
      reply(ctx, "*".equals(line) ? tag + " BAD AUTHENTICATE cancelled" : loggedIn(tag));
      return;
    }
    if (idleTag != null) {
      if ("DONE".equalsIgnoreCase(line)) {
        reply(ctx, idleTag + " OK IDLE terminated");
        idleTag = null;
      }
      return;
    }
    Wire.Literal literal = Wire.literalAtEnd(line);
    if (literal != null) {
      pieces.add(line.substring(0, literal.start()));
      if (!literal.nonSync()) {
        reply(ctx, "+ Ready for literal data");
      }
      expectLiteral(ctx, literal.length(), true);
      return;
    }
    pieces.add(line);
    List<String> words = words(pieces);
    pieces.clear();
    execute(ctx, words);
  }

  @Override
  protected void onLiteral(ChannelHandlerContext ctx, ByteBuf collected, long length) {
    pieces.add(new LiteralArg(collected == null ? "" : collected.toString(StandardCharsets.ISO_8859_1)));
  }

  private void execute(ChannelHandlerContext ctx, List<String> words) {
    if (words.size() < 2) {
      reply(ctx, (words.isEmpty() ? "*" : words.get(0)) + " BAD missing command");
      return;
    }
    String tag = words.get(0);
    String command = words.get(1).toUpperCase(Locale.ROOT);
    if ("UID".equals(command) && words.size() > 2) {
      command = "UID " + words.get(2).toUpperCase(Locale.ROOT);
    }
    switch (command) {
      case "CAPABILITY":
        reply(ctx, "* CAPABILITY " + settings.imapCapabilities(false) + "\r\n" + tag + " OK CAPABILITY completed");
        break;
      case "NOOP":
      case "CHECK":
        reply(ctx, tag + " OK NOOP completed");
        break;
      case "LOGOUT":
        ctx.writeAndFlush(Wire.ascii(ctx.alloc(), "* BYE Logging out\r\n" + tag + " OK LOGOUT completed\r\n"))
            .addListener(ChannelFutureListener.CLOSE);
        break;
      case "LOGIN":
        reply(ctx, words.size() >= 4 ? loggedIn(tag) : tag + " BAD LOGIN needs a user and a password");
        break;
      case "AUTHENTICATE":
        authenticate(ctx, tag, words);
        break;
      case "ID":
        reply(ctx, "* ID (\"name\" \"fake-backend\")\r\n" + tag + " OK ID completed");
        break;
      case "ENABLE":
        reply(ctx, "* ENABLED\r\n" + tag + " OK ENABLE completed");
        break;
      case "SELECT":
      case "EXAMINE":
        reply(ctx, "* 1 EXISTS\r\n* 0 RECENT\r\n* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
            + "* OK [UIDVALIDITY 1] UIDs valid\r\n* OK [UIDNEXT 2] Predicted next UID\r\n"
            + tag + " OK [READ-WRITE] " + command + " completed");
        break;
      case "FETCH":
      case "UID FETCH":
        fetch(ctx, tag, command.startsWith("UID"));
        break;
      case "APPEND":
        appended++;
        reply(ctx, tag + " OK [APPENDUID 1 " + (appended + 1) + "] APPEND completed");
        break;
      case "IDLE":
        idleTag = tag;
        reply(ctx, "+ idling");
        break;
      case "CLOSE":
      case "UNSELECT":
      case "EXPUNGE":
      case "UID STORE":
      case "STORE":
        reply(ctx, tag + " OK " + command + " completed");
        break;
      default:
        reply(ctx, tag + " BAD unknown command");
    }
  }

  private void authenticate(ChannelHandlerContext ctx, String tag, List<String> words) {
    if (words.size() < 3) {
      reply(ctx, tag + " BAD AUTHENTICATE needs a mechanism");
      return;
    }
    String mechanism = words.get(2).toUpperCase(Locale.ROOT);
    if (!"PLAIN".equals(mechanism) && !"XOAUTH2".equals(mechanism) && !"OAUTHBEARER".equals(mechanism)
        && !"LOGIN".equals(mechanism)) {
      reply(ctx, tag + " NO unsupported mechanism");
    } else if (words.size() >= 4) {
      reply(ctx, loggedIn(tag));
    } else {
      saslTag = tag;
      reply(ctx, "+ ");
    }
  }

  private void fetch(ChannelHandlerContext ctx, String tag, boolean uid) {
    int size = settings.messageSize();
    ctx.write(Wire.ascii(ctx.alloc(), (uid ? "* 1 FETCH (UID 1 BODY[] {" : "* 1 FETCH (BODY[] {") + size + "}\r\n"));
    ctx.write(settings.message().retainedDuplicate());
    reply(ctx, ")\r\n" + tag + " OK FETCH completed");
  }

  private String loggedIn(String tag) {
    return tag + " OK [CAPABILITY " + settings.imapCapabilities(true) + "] Logged in";
  }

  private static void reply(ChannelHandlerContext ctx, String text) {
    ctx.write(Wire.ascii(ctx.alloc(), text + "\r\n"));
  }

  /** Atoms, quoted strings (unescaped) and parenthesised lists as words; literals as one word each. */
  static List<String> words(List<Object> pieces) {
    List<String> out = new ArrayList<>();
    for (Object piece : pieces) {
      if (piece instanceof LiteralArg) {
        out.add(((LiteralArg) piece).value());
        continue;
      }
      String s = (String) piece;
      int i = 0;
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c == ' ') {
          i++;
        } else if (c == '"') {
          StringBuilder word = new StringBuilder();
          i++;
          while (i < s.length() && s.charAt(i) != '"') {
            if (s.charAt(i) == '\\' && i + 1 < s.length()) {
              i++;
            }
            word.append(s.charAt(i++));
          }
          out.add(word.toString());
          i++;
        } else if (c == '(') {
          int depth = 0;
          int start = i;
          while (i < s.length()) {
            char d = s.charAt(i++);
            depth += d == '(' ? 1 : d == ')' ? -1 : 0;
            if (depth == 0) {
              break;
            }
          }
          out.add(s.substring(start, i));
        } else {
          int start = i;
          while (i < s.length() && s.charAt(i) != ' ') {
            i++;
          }
          out.add(s.substring(start, i));
        }
      }
    }
    return out;
  }
}
