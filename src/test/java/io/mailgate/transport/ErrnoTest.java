package io.mailgate.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ConnectTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.nio.channels.NotYetConnectedException;
import org.junit.jupiter.api.Test;

/** Socket failures are written as nginx writes them, {@code 111: Connection refused}, whatever the transport. */
class ErrnoTest {

  @Test
  void descriptorLimitsByTheirText() {
    assertThat(Errno.describe(new IOException("Too many open files"))).isEqualTo("24: Too many open files");
    assertThat(Errno.describe(new IOException("Too many open files in system")))
        .isEqualTo("23: Too many open files in system");
    assertThat(Errno.isDescriptorLimit(new RuntimeException(new IOException("Too many open files")))).isTrue();
    assertThat(Errno.isDescriptorLimit(new IOException("Connection reset by peer"))).isFalse();
  }

  @Test
  void connectFailuresOfEpollAndNioAlike() {
    assertThat(Errno.describe(new ConnectException("finishConnect(..) failed: Connection refused: /127.0.0.1:1")))
        .isEqualTo("111: Connection refused");
    assertThat(Errno.describe(new ConnectException("Connection refused: /127.0.0.1:1")))
        .isEqualTo("111: Connection refused");
    assertThat(Errno.describe(new NoRouteToHostException())).isEqualTo("113: No route to host");
    assertThat(Errno.describe(new IOException("Network is unreachable"))).isEqualTo("101: Network is unreachable");
    assertThat(Errno.describe(new IOException("recvAddress(..) failed: Connection reset by peer")))
        .isEqualTo("104: Connection reset by peer");
    assertThat(Errno.describe(new NotYetConnectedException()))
        .isEqualTo("107: Transport endpoint is not connected");
  }

  @Test
  void otherFailuresKeepTheirMessageWithoutThePeerAddress() {
    assertThat(Errno.describe(new ConnectTimeoutException("connection timed out: /10.0.0.1:143")))
        .isEqualTo("connection timed out");
    assertThat(Errno.describe(new IOException())).isEqualTo("IOException");
    assertThat(Errno.describe(null)).isEqualTo("unknown");
  }
}
