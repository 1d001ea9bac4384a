package io.mailgate.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.OpenSslSessionTicketKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TicketKeysTest {
  @TempDir
  Path dir;

  private static byte[] counting(int size) {
    byte[] bytes = new byte[size];
    for (int i = 0; i < size; i++) {
      bytes[i] = (byte) i;
    }
    return bytes;
  }

  @Test
  void a48ByteFileIsNameThenAesThenHmacAsNginxReadsIt() throws Exception {
    Path file = Files.write(dir.resolve("48.key"), counting(48));
    OpenSslSessionTicketKey key = TicketKeys.load(List.of(file))[0];
    assertThat(key.name()).isEqualTo(Arrays.copyOfRange(counting(48), 0, 16));
    assertThat(key.aesKey()).isEqualTo(Arrays.copyOfRange(counting(48), 16, 32));
    assertThat(key.hmacKey()).isEqualTo(Arrays.copyOfRange(counting(48), 32, 48));
  }

  @Test
  void an80ByteFileGivesTheFirstHalvesOfItsHmacAndAesKeys() throws Exception {
    Path file = Files.write(dir.resolve("80.key"), counting(80));
    OpenSslSessionTicketKey key = TicketKeys.load(List.of(file))[0];
    assertThat(key.name()).isEqualTo(Arrays.copyOfRange(counting(80), 0, 16));
    assertThat(key.hmacKey()).isEqualTo(Arrays.copyOfRange(counting(80), 16, 32));
    assertThat(key.aesKey()).isEqualTo(Arrays.copyOfRange(counting(80), 48, 64));
  }
}
