package io.mailgate.demo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelGroupFuture;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded demo mail store: a tiny read-only IMAP4rev1 server (a subset of RFC 3501, with RFC 7888 LITERAL+) that
 * lets the shipped demo configuration run on a fresh machine with no mail server. For the demo configuration only:
 * passwords are plain text, there is no TLS, and every user sees the same INBOX.
 *
 * <p>It serves what mailgate's backend login, curl and simple clients need: CAPABILITY, NOOP, LOGOUT, LOGIN (atoms,
 * quoted strings, literals), AUTHENTICATE PLAIN (with or without an initial response; OAUTHBEARER and XOAUTH2 when a
 * token check is given), LIST and LSUB (INBOX only), SELECT and EXAMINE INBOX, FETCH and UID FETCH (UID, FLAGS,
 * INTERNALDATE, RFC822.SIZE, RFC822, RFC822.HEADER, RFC822.TEXT, BODY[] / BODY.PEEK[] with "", HEADER or TEXT and a
 * partial range), SEARCH ALL, UID SEARCH ALL, CLOSE and EXPUNGE (which removes nothing). Anything else gets BAD.
 * Messages go out byte for byte, so they should use CRLF line ends (RFC 5322 §2.1; see {@link DemoMessages#crlf}).
 *
 * <p>Limits: lines of 8 KB, 64 KB of literals per command, 5 minutes without traffic, 20 invalid commands.
 */
public final class DemoMailStore implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DemoMailStore.class);
  private static final Duration IDLE_TIMEOUT = Duration.ofMinutes(5);
  /** RFC 3501 §9 {@code date-time}. */
  private static final DateTimeFormatter INTERNAL_DATE =
      DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm:ss Z", Locale.ENGLISH);

  private final Channel serverChannel;
  private final ChannelGroup channels;

  private DemoMailStore(Channel serverChannel, ChannelGroup channels) {
    this.serverChannel = serverChannel;
    this.channels = channels;
  }

  /**
   * Starts a store without bearer-token logins. Binds before returning, so call it off the event loops.
   *
   * @param users user to plain-text password (demo only)
   * @param messages RFC 5322 messages, the INBOX of every user (UIDs 1, 2, ...)
   * @throws IOException if the address cannot be bound
   */
  public static DemoMailStore start(EventLoopGroup group, Class<? extends ServerChannel> channelClass,
      InetSocketAddress listen, Map<String, String> users, List<byte[]> messages) throws IOException {
    return start(group, channelClass, listen, users, messages, Optional.empty());
  }

  /**
   * Starts a store that also offers AUTHENTICATE OAUTHBEARER and XOAUTH2 when {@code tokenCheck} is present; a login
   * succeeds, as the user named in the SASL response, when the check accepts the bearer token. Binds before returning,
   * so call it off the event loops.
   *
   * @param users user to plain-text password (demo only)
   * @param messages RFC 5322 messages, the INBOX of every user (UIDs 1, 2, ...)
   * @param tokenCheck whether a bearer token is valid; called on an event loop, so it must not block
   * @throws IOException if the address cannot be bound
   */
  public static DemoMailStore start(EventLoopGroup group, Class<? extends ServerChannel> channelClass,
      InetSocketAddress listen, Map<String, String> users, List<byte[]> messages,
      Optional<Predicate<String>> tokenCheck) throws IOException {
    return start(group, channelClass, listen, settings(users, messages, tokenCheck, IDLE_TIMEOUT));
  }

  /** Starts a store with explicit settings (tests shorten the idle timeout). */
  static DemoMailStore start(EventLoopGroup group, Class<? extends ServerChannel> channelClass,
      InetSocketAddress listen, DemoStoreSettings settings) throws IOException {
    ChannelGroup channels = new DefaultChannelGroup("demo-mail-store", GlobalEventExecutor.INSTANCE);
    long idleMillis = settings.idleTimeout().toMillis();
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(group)
        .channel(channelClass)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            channels.add(ch);
            ch.pipeline().addLast(
                new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS),
                new DemoImapDecoder(),
                new DemoImapSession(settings));
          }
        });
    ChannelFuture bound = bootstrap.bind(listen).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      Throwable cause = bound.cause();
      throw cause instanceof IOException ? (IOException) cause
          : new IOException("demo mail store: cannot listen on " + listen + ": " + cause, cause);
    }
    channels.add(bound.channel());
    LOG.info("demo mail store listening on {} ({} users, {} messages); for the demo configuration only",
        bound.channel().localAddress(), settings.users().size(), settings.messages().size());
    return new DemoMailStore(bound.channel(), channels);
  }

  /** The shared settings of a store: messages numbered from UID 1, UIDVALIDITY and INTERNALDATE from now. */
  static DemoStoreSettings settings(Map<String, String> users, List<byte[]> messages,
      Optional<Predicate<String>> tokenCheck, Duration idleTimeout) {
    List<DemoMessage> inbox = new ArrayList<>();
    for (byte[] message : messages) {
      inbox.add(DemoMessage.of(inbox.size() + 1, message.clone()));
    }
    ZonedDateTime now = ZonedDateTime.now();
    return new DemoStoreSettings(users, tokenCheck, inbox, Math.max(1, now.toEpochSecond()),
        INTERNAL_DATE.format(now), idleTimeout);
  }

  /** The port the store listens on (useful after binding port 0). */
  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /** Stops listening and closes every open connection, without waiting. */
  public ChannelGroupFuture closeAsync() {
    return channels.close();
  }

  /** Stops listening and closes every connection, waiting up to 5 seconds; call it off the event loops. */
  @Override
  public void close() {
    closeAsync().awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
