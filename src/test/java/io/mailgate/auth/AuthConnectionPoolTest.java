package io.mailgate.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/** The per-loop idle stack behind auth_http keep-alive ({@code auth_http_keepalive}). */
class AuthConnectionPoolTest {

  @Test
  void aFullStackClosesItsOldestConnectionAndHandsOutTheNewestFirst() {
    EmbeddedChannel first = new EmbeddedChannel();
    EmbeddedChannel second = new EmbeddedChannel();
    EmbeddedChannel third = new EmbeddedChannel();
    EventLoop loop = first.eventLoop();
    AuthConnectionPool pool = new AuthConnectionPool(2);

    pool.offer(loop, first);
    pool.offer(loop, second);
    pool.offer(loop, third);

    assertThat(first.isOpen()).as("evicted").isFalse();
    assertThat(pool.poll(loop)).isSameAs(third);
    assertThat(pool.poll(loop)).isSameAs(second);
    assertThat(pool.poll(loop)).isNull();
    second.finishAndReleaseAll();
    third.finishAndReleaseAll();
  }

  @Test
  void withNoRoomAnAnsweredConnectionIsClosed() {
    EmbeddedChannel channel = new EmbeddedChannel();
    AuthConnectionPool pool = new AuthConnectionPool(0);

    pool.offer(channel.eventLoop(), channel);

    assertThat(channel.isOpen()).isFalse();
    assertThat(pool.poll(channel.eventLoop())).isNull();
  }
}
