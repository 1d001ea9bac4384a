package io.mailgate.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills every user's INBOX before the soak, straight at the backend (not through the proxy: this is set-up, not
 * load), and remembers what it stored: UID, size and SHA-256 of each message, so that every FETCH through the proxy
 * can be checked byte for byte without keeping the messages.
 */
final class SoakSeeder {

  private static final Pattern APPEND_UID = Pattern.compile("\\[APPENDUID \\d+ (\\d+)]");

  /** One stored message. */
  record Stored(long uid, int size, byte[] sha256) {}

  private SoakSeeder() {}

  /**
   * The sizes seeded for user number {@code index}: every user gets small to medium messages, every fifth one also
   * a 10 MiB message (the largest the soak moves).
   */
  static List<Integer> sizesFor(int index) {
    List<Integer> sizes = new ArrayList<>(List.of(1_500, 20 * 1024, 300 * 1024, 2 * 1024 * 1024));
    if (index % 5 == 0) {
      sizes.add(10 * 1024 * 1024);
    }
    return sizes;
  }

  /** Seeds every account (a few connections at once) and returns what each mailbox now holds. */
  static Map<String, List<Stored>> seed(HostPort backend, SoakAccounts accounts, int parallel, long runSeed)
      throws Exception {
    Map<String, List<Stored>> stored = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(parallel);
    try {
      List<Future<?>> jobs = new ArrayList<>();
      for (int i = 0; i < accounts.size(); i++) {
        int index = i;
        jobs.add(pool.submit(() -> {
          SoakAccounts.Account a = accounts.get(index);
          stored.put(a.user(), seedOne(backend, a, sizesFor(index), runSeed ^ ((long) index << 32)));
          return null;
        }));
      }
      for (Future<?> f : jobs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    return stored;
  }

  private static List<Stored> seedOne(HostPort backend, SoakAccounts.Account a, List<Integer> sizes, long seed)
      throws IOException {
    List<Stored> out = new ArrayList<>();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(backend.host(), backend.port()), 10_000);
      s.setSoTimeout(60_000);
      InputStream in = new BufferedInputStream(s.getInputStream());
      OutputStream o = s.getOutputStream();
      expect(readLine(in), "* OK");
      send(o, "s1 LOGIN \"" + a.user() + "\" \"" + a.password() + "\"");
      tagged(in, "s1");
      int n = 0;
      for (int size : sizes) {
        n++;
        String id = "seed-" + a.user() + "-" + n;
        ByteBuf msg = SoakMessage.build(UnpooledByteBufAllocator.DEFAULT, id, seed + n, size);
        try {
          byte[] digest = SoakMessage.sha256(msg);
          String tag = "s" + (n + 1);
          send(o, tag + " APPEND INBOX (\\Seen) {" + size + "}");
          expect(readLine(in), "+");
          msg.getBytes(msg.readerIndex(), o, msg.readableBytes());
          o.write("\r\n".getBytes(StandardCharsets.US_ASCII));
          o.flush();
          Matcher m = APPEND_UID.matcher(tagged(in, tag));
          if (!m.find()) {
            throw new IOException("no APPENDUID for " + id);
          }
          out.add(new Stored(Long.parseLong(m.group(1)), size, digest));
        } finally {
          msg.release();
        }
      }
      send(o, "s99 LOGOUT");
      tagged(in, "s99");
    }
    return out;
  }

  private static void send(OutputStream o, String line) throws IOException {
    o.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    o.flush();
  }

  private static String tagged(InputStream in, String tag) throws IOException {
    String line;
    do {
      line = readLine(in);
      if (line == null) {
        throw new IOException("backend closed before " + tag + " completed");
      }
    } while (!line.startsWith(tag + " "));
    return expect(line, tag + " OK");
  }

  private static String expect(String line, String prefix) throws IOException {
    if (line == null || !line.startsWith(prefix)) {
      throw new IOException("seeding: backend answered \"" + line + "\", expected \"" + prefix + "...\"");
    }
    return line;
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        String s = line.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }
}
