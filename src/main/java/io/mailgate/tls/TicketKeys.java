package io.mailgate.tls;

import io.netty.handler.ssl.OpenSslSessionTicketKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;

/**
 * Session ticket keys for tcnative (16-byte name, HMAC and AES keys). nginx's {@code ssl_session_ticket_key} files:
 * 48 bytes are name, AES key, HMAC key (16 each); 80 bytes are name (16), HMAC key (32), AES-256 key (32), of which
 * tcnative's AES-128 ticket cipher takes the first 16 bytes of each key. Tickets are therefore not interchangeable
 * with nginx's, but every mailgate server given the same file accepts the others' tickets.
 */
final class TicketKeys {
  private static final int SHORT = 48;
  private static final int LONG = 80;

  private TicketKeys() {}

  /** The keys in the files, first one encrypts (as nginx). */
  static OpenSslSessionTicketKey[] load(List<Path> files) throws TlsSetupException {
    OpenSslSessionTicketKey[] keys = new OpenSslSessionTicketKey[files.size()];
    for (int i = 0; i < keys.length; i++) {
      Path file = files.get(i);
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(file);
      } catch (IOException e) {
        throw new TlsSetupException("open() \"" + file + "\" failed: " + PemLoader.describe(e), e);
      }
      try {
        keys[i] = fromNginxFile(bytes, file);
      } finally {
        Arrays.fill(bytes, (byte) 0);
      }
    }
    return keys;
  }

  /** One random key: nginx's default when tickets are on and no key file is given (valid until restart). */
  static OpenSslSessionTicketKey[] random() {
    byte[] bytes = new byte[SHORT];
    new SecureRandom().nextBytes(bytes);
    return new OpenSslSessionTicketKey[] {split(bytes, 16, 32)};
  }

  private static OpenSslSessionTicketKey fromNginxFile(byte[] bytes, Path file) throws TlsSetupException {
    if (bytes.length == SHORT) {
      return split(bytes, 32, 16);
    }
    if (bytes.length == LONG) {
      return split(bytes, 16, 48);
    }
    throw new TlsSetupException("\"" + file + "\" must be 48 or 80 bytes");
  }

  private static OpenSslSessionTicketKey split(byte[] bytes, int hmacAt, int aesAt) {
    return new OpenSslSessionTicketKey(
        Arrays.copyOfRange(bytes, 0, 16),
        Arrays.copyOfRange(bytes, hmacAt, hmacAt + 16),
        Arrays.copyOfRange(bytes, aesAt, aesAt + 16));
  }
}
