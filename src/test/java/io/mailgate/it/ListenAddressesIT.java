package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.LeakWatcher;
import io.mailgate.testkit.ProxyUnderTest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code listen} on IPv6 loopback and on a unix-domain socket. */
class ListenAddressesIT {

  @TempDir Path dir;

  @Test
  void servesIpv6AndUnixListenersOfOneServer() throws Exception {
    Path socket = dir.resolve("imap.sock");
    try (ProxyUnderTest proxy = ProxyUnderTest.start(dir, "auth_http 127.0.0.1:9;\nserver { listen [::1]:%PORT%; "
        + "listen unix:" + socket + "; protocol imap; }")) {
      try (SocketChannel v6 = SocketChannel.open(new InetSocketAddress("::1", proxy.port()))) {
        assertThat(firstLine(v6)).isEqualTo("* OK IMAP4 ready");
      }
      try (SocketChannel unix = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        unix.connect(UnixDomainSocketAddress.of(socket));
        assertThat(firstLine(unix)).isEqualTo("* OK IMAP4 ready");
      }
    }
    assertThat(socket).as("the socket file is removed at stop").doesNotExist();
    LeakWatcher.assertNoLeaks();
  }

  private static String firstLine(SocketChannel channel) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(256);
    StringBuilder line = new StringBuilder();
    while (!line.toString().endsWith("\r\n") && channel.read(buffer) >= 0) {
      buffer.flip();
      line.append(StandardCharsets.US_ASCII.decode(buffer));
      buffer.clear();
    }
    return line.toString().trim();
  }
}
