package io.mailgate.packaging;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The entries of a (gzipped) tar file with their modes, read from the ustar headers: the JDK has no tar reader, and
 * {@code tar -tv} output differs between implementations. Only what the packaging tests look at: names (ustar
 * prefix and PAX {@code path} records included), modes, types and sizes.
 */
final class TarEntries {

  /** One entry; {@code type} is the ustar type flag ('0' file, '5' folder, '2' symbolic link). */
  record Entry(String name, int mode, char type, long size) {}

  private TarEntries() {}

  /** Name to entry, in archive order; folder names end with '/'. */
  static Map<String, Entry> read(Path file) throws IOException {
    Map<String, Entry> entries = new LinkedHashMap<>();
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file));
        InputStream in = file.toString().endsWith("gz") ? new GZIPInputStream(raw) : raw) {
      byte[] header = new byte[512];
      String paxPath = null;
      while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
        char type = (char) (header[156] == 0 ? '0' : header[156]);
        long size = octal(header, 124, 12);
        byte[] body = type == 'x' ? in.readNBytes((int) size) : null;
        if (body == null) {
          in.skipNBytes(size);
        }
        in.skipNBytes((512 - size % 512) % 512);
        if (type == 'x') {
          paxPath = paxPath(new String(body, StandardCharsets.UTF_8));
          continue;
        }
        if (type == 'g') {
          continue;
        }
        String name = paxPath != null ? paxPath : text(header, 345, 155).isEmpty()
            ? text(header, 0, 100) : text(header, 345, 155) + "/" + text(header, 0, 100);
        paxPath = null;
        if (name.startsWith("./")) {
          name = name.substring(2);
        }
        if (type == '5' && !name.endsWith("/")) {
          name += "/";
        }
        entries.put(name, new Entry(name, (int) octal(header, 100, 8) & 07777, type, size));
      }
    }
    return entries;
  }

  private static String paxPath(String records) {
    // Records are "LENGTH key=value\n".
    for (String record : records.split("\n")) {
      int space = record.indexOf(' ');
      if (space > 0 && record.startsWith("path=", space + 1)) {
        return record.substring(space + 6);
      }
    }
    return null;
  }

  private static String text(byte[] header, int offset, int length) {
    int end = offset;
    while (end < offset + length && header[end] != 0) {
      end++;
    }
    return new String(header, offset, end - offset, StandardCharsets.UTF_8);
  }

  private static long octal(byte[] header, int offset, int length) {
    String digits = text(header, offset, length).trim();
    return digits.isEmpty() ? 0 : Long.parseLong(digits, 8);
  }
}
