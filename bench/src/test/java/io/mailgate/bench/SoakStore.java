package io.mailgate.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A small IMAP store for the soak's tests, standing in for Dovecot: it keeps every APPENDed message per user, answers
 * UID FETCH with the stored bytes, honours UID STORE/UID EXPUNGE, IDLE and LOGOUT, and checks passwords (LOGIN,
 * AUTHENTICATE PLAIN/LOGIN/CRAM-MD5) and tokens (XOAUTH2, OAUTHBEARER) against the accounts. Commands it does not
 * know get BAD, so a soak session that sends one fails its test.
 */
final class SoakStore implements AutoCloseable {

  private final SoakAccounts accounts;
  private final Map<String, ConcurrentSkipListMap<Long, byte[]>> boxes = new ConcurrentHashMap<>();
  private final AtomicLong uids = new AtomicLong();
  private final EventLoopGroup group = Net.group(1, "soak-store");
  private final Channel listener;
  final AtomicLong bad = new AtomicLong();

  SoakStore(SoakAccounts accounts) throws InterruptedException {
    this.accounts = accounts;
    this.listener = new ServerBootstrap().group(group).channel(Net.serverChannel())
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new Connection());
          }
        }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
  }

  HostPort address() {
    return new HostPort("127.0.0.1", ((InetSocketAddress) listener.localAddress()).getPort());
  }

  /** Messages stored for {@code user} now. */
  int count(String user) {
    return box(user).size();
  }

  private ConcurrentSkipListMap<Long, byte[]> box(String user) {
    return boxes.computeIfAbsent(user, u -> new ConcurrentSkipListMap<>());
  }

  @Override
  public void close() {
    listener.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** One client connection. */
  private final class Connection extends LineHandler {
    private final StringBuilder command = new StringBuilder();
    private final List<byte[]> literals = new ArrayList<>();
    private ByteArrayOutputStream literal;
    private Consumer<String> continuation;
    private String user;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      reply(ctx, "* OK [CAPABILITY IMAP4rev1 LITERAL+ UIDPLUS IDLE SASL-IR] soak store ready");
    }

    @Override
    protected void onLiteralBytes(ByteBuf in, int index, int length) {
      byte[] b = new byte[length];
      in.getBytes(index, b);
      literal.writeBytes(b);
    }

    @Override
    protected void onLiteral(ChannelHandlerContext ctx, ByteBuf collected, long length) {
      literals.add(literal.toByteArray());
      command.append("\u0000").append(literals.size() - 1).append(' ');
      literal = null;
    }

    @Override
    protected void onLine(ChannelHandlerContext ctx, String line) {
      if (continuation != null) {
        Consumer<String> next = continuation;
        continuation = null;
        next.accept(line);
        return;
      }
      Wire.Literal lit = Wire.literalAtEnd(line);
      if (lit != null) {
        command.append(line, 0, lit.start());
        literal = new ByteArrayOutputStream();
        if (!lit.nonSync()) {
          reply(ctx, "+ Ready for literal data");
        }
        expectLiteral(ctx, lit.length(), false);
        return;
      }
      command.append(line);
      String text = command.toString();
      List<byte[]> lits = new ArrayList<>(literals);
      command.setLength(0);
      literals.clear();
      dispatch(ctx, text, lits);
    }

    private void dispatch(ChannelHandlerContext ctx, String text, List<byte[]> lits) {
      List<String> w = words(text, lits);
      if (w.size() < 2) {
        bad(ctx, w.isEmpty() ? "*" : w.get(0), "no command");
        return;
      }
      String tag = w.get(0);
      String cmd = w.get(1).toUpperCase(java.util.Locale.ROOT);
      if (cmd.equals("UID") && w.size() > 2) {
        cmd = "UID " + w.get(2).toUpperCase(java.util.Locale.ROOT);
        w.remove(2);
      }
      switch (cmd) {
        case "LOGIN" -> login(ctx, tag, w.get(2), w.get(3), "password");
        case "AUTHENTICATE" -> authenticate(ctx, tag, w.get(2).toUpperCase(java.util.Locale.ROOT),
            w.size() > 3 ? w.get(3) : null);
        case "SELECT" -> reply(ctx, "* " + box(user).size() + " EXISTS\r\n" + tag + " OK [READ-WRITE] Select done");
        case "NOOP" -> reply(ctx, tag + " OK NOOP done");
        case "IDLE" -> {
          continuation = done -> reply(ctx, done.equals("DONE") ? tag + " OK Idle done" : tag + " BAD expected DONE");
          reply(ctx, "+ idling");
        }
        case "APPEND" -> {
          byte[] message = lits.get(lits.size() - 1);
          long uid = uids.incrementAndGet();
          box(user).put(uid, message);
          reply(ctx, tag + " OK [APPENDUID 1 " + uid + "] Append done");
        }
        case "UID FETCH" -> {
          long uid = Long.parseLong(w.get(2));
          byte[] m = box(user).get(uid);
          if (m != null) {
            ctx.write(Wire.ascii(ctx.alloc(), "* 1 FETCH (UID " + uid + " BODY[] {" + m.length + "}\r\n"));
            ctx.write(ctx.alloc().buffer(m.length).writeBytes(m));
            ctx.write(Wire.ascii(ctx.alloc(), ")\r\n"));
          }
          reply(ctx, tag + " OK Fetch done");
        }
        case "UID STORE" -> reply(ctx, tag + " OK Store done");
        case "UID EXPUNGE" -> {
          box(user).remove(Long.parseLong(w.get(2)));
          reply(ctx, tag + " OK Expunge done");
        }
        case "LOGOUT" -> {
          reply(ctx, "* BYE soak store\r\n" + tag + " OK Logout done");
          ctx.flush();
          ctx.close();
        }
        default -> bad(ctx, tag, "unknown command " + cmd);
      }
    }

    private void authenticate(ChannelHandlerContext ctx, String tag, String mech, String ir) {
      switch (mech) {
        case "PLAIN" -> {
          Consumer<String> check = b64 -> {
            String[] f = decode(b64).split("\u0000", -1);
            login(ctx, tag, f[1], f[2], "password");
          };
          if (ir != null) {
            check.accept(ir);
          } else {
            continuation = check;
            reply(ctx, "+ ");
          }
        }
        case "LOGIN" -> {
          continuation = u -> {
            continuation = p -> login(ctx, tag, decode(u), decode(p), "password");
            reply(ctx, "+ " + b64("Password:"));
          };
          reply(ctx, "+ " + b64("Username:"));
        }
        case "CRAM-MD5" -> {
          String salt = "<" + System.nanoTime() + ".1@soak.store>";
          continuation = r -> {
            String[] f = decode(r).split(" ");
            SoakAccounts.Account a = accounts.find(f[0]);
            boolean ok = a != null && SoakAccounts.cramMd5(a.password(), salt).equals(f[1]);
            loggedIn(ctx, tag, ok ? f[0] : null);
          };
          reply(ctx, "+ " + b64(salt));
        }
        case "XOAUTH2", "OAUTHBEARER" -> {
          String m = decode(ir);
          String u = mech.equals("XOAUTH2") ? m.substring(5, m.indexOf('\u0001'))
              : m.substring(m.indexOf("a=") + 2, m.indexOf(',', m.indexOf("a=")));
          String token = m.substring(m.indexOf("Bearer ") + 7, m.indexOf('\u0001', m.indexOf("Bearer ")));
          login(ctx, tag, u, token, "token");
        }
        default -> bad(ctx, tag, "mechanism " + mech);
      }
    }

    private void login(ChannelHandlerContext ctx, String tag, String u, String secret, String kind) {
      SoakAccounts.Account a = accounts.find(u);
      boolean ok = a != null && (kind.equals("token") ? a.token() : a.password()).equals(secret);
      loggedIn(ctx, tag, ok ? u : null);
    }

    private void loggedIn(ChannelHandlerContext ctx, String tag, String u) {
      if (u == null) {
        reply(ctx, tag + " NO [AUTHENTICATIONFAILED] Authentication failed.");
      } else {
        user = u;
        reply(ctx, tag + " OK Logged in");
      }
    }

    private void bad(ChannelHandlerContext ctx, String tag, String why) {
      bad.incrementAndGet();
      reply(ctx, tag + " BAD " + why);
    }

    private void reply(ChannelHandlerContext ctx, String text) {
      ctx.writeAndFlush(Wire.ascii(ctx.alloc(), text + "\r\n"));
    }
  }

  /** The command's words: atoms, quoted strings unquoted, literals (marked by a NUL and their index) as text. */
  static List<String> words(String text, List<byte[]> literals) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == ' ') {
        i++;
      } else if (c == '"') {
        StringBuilder w = new StringBuilder();
        i++;
        while (i < text.length() && text.charAt(i) != '"') {
          if (text.charAt(i) == '\\') {
            i++;
          }
          w.append(text.charAt(i++));
        }
        i++;
        out.add(w.toString());
      } else if (c == '\u0000') {
        int end = text.indexOf(' ', i);
        end = end < 0 ? text.length() : end;
        out.add(new String(literals.get(Integer.parseInt(text.substring(i + 1, end))), StandardCharsets.ISO_8859_1));
        i = end;
      } else {
        int end = text.indexOf(' ', i);
        end = end < 0 ? text.length() : end;
        out.add(text.substring(i, end));
        i = end;
      }
    }
    return out;
  }

  private static String decode(String b64) {
    return new String(Base64.getDecoder().decode(b64.trim()), StandardCharsets.UTF_8);
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
