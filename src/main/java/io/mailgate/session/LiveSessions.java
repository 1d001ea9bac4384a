package io.mailgate.session;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * Every client connection alive, for a graceful stop: the pre-login ones are told to go ({@link ClientSession#drain()})
 * and the relaying ones are waited for, then closed at {@code shutdown_timeout}. A connection leaves by itself when it
 * closes. Thread-safe: event loops add their sessions while the stopping thread walks them.
 */
public final class LiveSessions {

  /** The session of a connection that has not reached the relay yet; cleared then, so relays pin no login state. */
  private static final AttributeKey<ClientSession> PRE_LOGIN = AttributeKey.valueOf("mailgate.preLoginSession");

  private final ChannelGroup channels = new DefaultChannelGroup("mailgate-clients", GlobalEventExecutor.INSTANCE);
  private volatile boolean draining;

  /** Registers a session just accepted. Called on its event loop; drains it at once if mailgate is stopping. */
  public void add(ClientSession session) {
    Channel channel = session.channel();
    channel.attr(PRE_LOGIN).set(session);
    channels.add(channel);
    if (draining) {
      session.drain();
    }
  }

  /** The session relays from now on: it no longer needs a stop's goodbye, only its connection closed at the end. */
  static void relaying(ClientSession session) {
    session.channel().attr(PRE_LOGIN).set(null);
  }

  /** Client connections still open. */
  public int size() {
    return channels.size();
  }

  /** Starts a graceful stop: every session not yet relaying ends as soon as it waits for its client. */
  public void drain() {
    draining = true;
    for (Channel channel : channels) {
      channel.eventLoop().execute(() -> {
        ClientSession session = channel.attr(PRE_LOGIN).get();
        if (session != null) {
          session.drain();
        }
      });
    }
  }

  /** Closes every client connection still open (each relay closes its backend connection with it). */
  public void closeAll() {
    channels.close();
  }
}
