package io.mailgate.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What mailgate relies on from each transport's channel classes. */
class TransportTest {

  static Stream<Transport> transports() {
    return Stream.of(Transport.detect(), Transport.nio(Optional.empty()));
  }

  /** Listeners does not set TCP_NODELAY itself: a login's short replies must not wait for Nagle's algorithm. */
  @ParameterizedTest
  @MethodSource("transports")
  void newSocketChannelsHaveNagleOff(Transport transport) throws Exception {
    Channel channel = transport.socketChannel().getConstructor().newInstance();
    try {
      assertThat(channel.config().getOption(ChannelOption.TCP_NODELAY)).as(transport.name()).isTrue();
    } finally {
      channel.unsafe().closeForcibly();
    }
  }
}
