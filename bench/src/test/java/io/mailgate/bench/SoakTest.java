package io.mailgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The soak's pieces, and a short soak against {@link SoakStore} (no proxy: the load generator alone). */
class SoakTest {

  private static final List<SoakAccounts.Account> USERS = List.of(
      new SoakAccounts.Account("soak0000@example.com", "pw0", "tok0"),
      new SoakAccounts.Account("soak0001@example.com", "pw1", "tok1"),
      new SoakAccounts.Account("soak0002@example.com", "pw2", "tok2"));

  @Test
  void messagesHaveTheExactSizeOnlyPrintableLinesAndDependOnlyOnTheirSeed() {
    String id = "m-1";
    int min = SoakMessage.minimumSize(id);
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> SoakMessage.build(UnpooledByteBufAllocator.DEFAULT, id, 42, min + 1))
        .isInstanceOf(IllegalArgumentException.class);
    for (int size : new int[] {min, min + 2, min + 3, min + 77, min + 78, min + 79, min + 80, 100_000, 1 << 20}) {
      ByteBuf a = SoakMessage.build(UnpooledByteBufAllocator.DEFAULT, id, 42, size);
      ByteBuf b = SoakMessage.build(UnpooledByteBufAllocator.DEFAULT, id, 42, size);
      ByteBuf c = SoakMessage.build(UnpooledByteBufAllocator.DEFAULT, id, 43, size);
      try {
        assertThat(a.readableBytes()).isEqualTo(size);
        assertThat(SoakMessage.sha256(a)).isEqualTo(SoakMessage.sha256(b));
        if (size > min + 2) {
          assertThat(SoakMessage.sha256(a)).isNotEqualTo(SoakMessage.sha256(c));
        }
        String text = a.toString(StandardCharsets.ISO_8859_1);
        assertThat(text).endsWith("\r\n");
        // Every line end is CRLF, no line is longer than RFC 5322's 78 octets, every byte printable ASCII.
        for (String line : text.split("\r\n", -1)) {
          assertThat(line).doesNotContain("\r", "\n");
          assertThat(line.length()).isLessThanOrEqualTo(78);
          assertThat(line.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f)).isTrue();
        }
      } finally {
        a.release();
        b.release();
        c.release();
      }
    }
  }

  @Test
  void cramMd5IsRfc2195() {
    // RFC 2195 §2's example: user tim, secret tanstaaftanstaaf.
    assertThat(SoakAccounts.cramMd5("tanstaaftanstaaf", "<1896.697170952@postoffice.reston.mci.net>"))
        .isEqualTo("b913a602c7eda7a495b4e6e7334d3890");
  }

  @Test
  void theScrapeReadsHeapDirectMemoryAndSessions() {
    String text = "# HELP x\n"
        + "jvm_memory_used_bytes{area=\"heap\",id=\"G1 Eden Space\"} 1048576.0\n"
        + "jvm_memory_used_bytes{area=\"heap\",id=\"G1 Old Gen\"} 2097152.0\n"
        + "jvm_memory_used_bytes{area=\"nonheap\",id=\"Metaspace\"} 9.0E7\n"
        + "jvm_buffer_memory_used_bytes{id=\"direct\"} 4096.0\n"
        + "mailgate_netty_direct_memory_used_bytes 8388608.0\n"
        + "mailgate_sessions_active{listener=\"a\",phase=\"relaying\",protocol=\"imap\"} 7.0\n"
        + "mailgate_sessions_active{listener=\"a\",phase=\"pre_auth\",protocol=\"imap\"} 3.0\n";

    SoakSampler.Scrape s = SoakSampler.parse(text);

    assertThat(s.heap).isEqualTo(3 * 1048576.0);
    assertThat(s.jvmDirect).isEqualTo(4096.0);
    assertThat(s.nettyDirect).isEqualTo(8388608.0);
    assertThat(s.sessions).isEqualTo(10.0);
  }

  private static SoakSampler.Sample sample(String phase, double rss, double live, int fds, int open, int threads) {
    return new SoakSampler.Sample(0, phase, open, open, 50, live, 5, 0, rss, rss, fds, threads, 0, 0, 1, 0, 1, 1, 0,
        0, 0);
  }

  private static SoakStats healthyStats() {
    SoakStats s = new SoakStats();
    s.fetchVerified.increment();
    s.appendVerified.increment();
    s.loginsOk.values().forEach(a -> a.increment());
    s.abrupt.forEach((k, v) -> v.increment());
    return s;
  }

  private static List<SoakSampler.Sample> series(double rssGrowthPerSample) {
    List<SoakSampler.Sample> xs = new ArrayList<>();
    xs.add(sample("before", 100, 10, 24, 0, 24));
    for (int i = 0; i < 12; i++) {
      xs.add(sample("steady", 200 + i * rssGrowthPerSample, i % 3 == 0 ? 40 : Double.NaN, 2024 + (i % 2), 1000, 24));
    }
    xs.add(sample("after", 150, 10, 30, 0, 24));
    return xs;
  }

  @Test
  void theVerdictPassesFlatSamplesAndFailsGrowingMemory() {
    Soak.Verdict flat = Soak.Verdict.judge(series(0.5), healthyStats(), 1000, 16, 1000, 0, 1000);
    Soak.Verdict growing = Soak.Verdict.judge(series(5), healthyStats(), 1000, 16, 1000, 0, 1000);

    assertThat(flat.passed()).as(String.join("\n", flat.lines())).isTrue();
    assertThat(growing.passed()).isFalse();
    assertThat(growing.lines()).anyMatch(l -> l.startsWith("FAIL RSS"));
  }

  @Test
  void theVerdictFailsOnAMismatchOrAnUnexpectedError() {
    SoakStats mismatch = healthyStats();
    mismatch.fetchMismatch.increment();
    SoakStats error = healthyStats();
    error.unexpected("no reply within 60000 ms while LOGIN");

    assertThat(Soak.Verdict.judge(series(0), mismatch, 1000, 16, 1000, 0, 1000).passed()).isFalse();
    assertThat(Soak.Verdict.judge(series(0), error, 1000, 16, 1000, 0, 1000).passed()).isFalse();
    assertThat(error.reasons()).containsEntry("no reply within # ms while LOGIN", 1L);
  }

  @Test
  void aShortSoakVerifiesEveryFetchAndAppendAndUsesEveryMechanism(@TempDir Path dir) throws Exception {
    Path users = dir.resolve("soak.users");
    StringBuilder text = new StringBuilder();
    for (SoakAccounts.Account a : USERS) {
      text.append(a.user()).append(':').append(a.password()).append(':').append(a.token()).append('\n');
    }
    Files.writeString(users, text);
    try (SoakStore store = new SoakStore(SoakAccounts.of(USERS))) {
      String target = store.address().toString();
      Args args = Args.parse(new String[] {"--target", target, "--seed-target", target, "--users", users.toString(),
          "--pid", Long.toString(ProcessHandle.current().pid()), "--sessions", "40", "--workers", "8",
          "--duration", "6s", "--warmup", "1s", "--sample-every", "1s", "--gc-every", "0", "--idle-hold",
          "300ms-1200ms", "--timeout", "20s", "--threads", "1", "--abrupt", "0.5", "--bad-password", "0.2",
          "--csv", dir.resolve("samples.csv").toString()});
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      Soak soak = new Soak(Soak.Settings.parse(args), new PrintStream(out, true, StandardCharsets.UTF_8));

      Soak.Verdict v = soak.run();

      String printed = out.toString(StandardCharsets.UTF_8);
      SoakStats s = soak.stats();
      assertThat(s.reasons()).as(printed).isEmpty();
      assertThat(s.unexpected.sum()).isZero();
      assertThat(s.fetchMismatch.sum()).isZero();
      assertThat(s.appendMissing.sum()).isZero();
      assertThat(s.fetchVerified.sum()).isPositive();
      assertThat(s.appendVerified.sum()).isPositive();
      assertThat(s.loginsRejectedAsExpected.sum()).isPositive();
      for (Map.Entry<SoakSession.Mech, java.util.concurrent.atomic.LongAdder> e : s.loginsOk.entrySet()) {
        assertThat(e.getValue().sum()).as(e.getKey().toString()).isPositive();
      }
      assertThat(store.bad.get()).as("commands the store did not know").isZero();
      assertThat(v.lines()).contains("ok   all sessions ended at the drain: 0 left");
      // Appended messages are expunged once verified: the mailboxes keep the seeded messages only (an APPEND cut
      // off in its literal stores nothing).
      for (int i = 0; i < USERS.size(); i++) {
        assertThat(store.count(USERS.get(i).user())).isEqualTo(SoakSeeder.sizesFor(i).size());
      }
      assertThat(printed).contains("t_s phase", " steady ", " after ");
      assertThat(Files.readAllLines(dir.resolve("samples.csv")).get(0)).startsWith("t_s,phase,open,");
    }
  }
}
