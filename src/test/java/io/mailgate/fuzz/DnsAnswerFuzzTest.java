package io.mailgate.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mailgate.resolver.DnsAnswerFuzzAccess;
import io.mailgate.resolver.DnsAnswerFuzzAccess.Summary;
import io.netty.util.NetUtil;
import java.util.List;
import java.util.Optional;

/**
 * DNS answers for the SMTP client-name lookup (PTR, then A/AAAA): any datagram, compression pointer loops included,
 * is refused by the decoder or read to records, an alias or a failure, in bounded time; records are addresses of the
 * type asked for, or host names, and TTLs are not negative.
 */
class DnsAnswerFuzzTest {

  private static final String NAME = "4.3.2.1.in-addr.arpa.";

  /**
   * Far beyond an honest read (microseconds), far below a pointer loop or quadratic walk; loose because the build's
   * fuzzing pass shares a loaded machine (a 2-vCPU machine at load 12 once took 2 s for a seed's first read).
   */
  private static final long READ_TIME_BOUND_NANOS = 5_000_000_000L;

  static {
    // The time bound is on reading an answer, not on the first call's class loading and Jazzer's instrumentation of
    // the decoder's classes, which alone took over a second on a busy machine (the build's short fuzzing pass).
    for (String type : List.of("PTR", "A", "AAAA")) {
      DnsAnswerFuzzAccess.read(new byte[0], type.equals("PTR") ? NAME : "mail.example.", type);
    }
  }

  @FuzzTest(maxDuration = "30s")
  void anyDatagramGivesADefinedReply(FuzzedDataProvider data) {
    String type = data.pickValue(List.of("PTR", "A", "AAAA"));
    String name = type.equals("PTR") ? NAME : "mail.example.";
    byte[] datagram = data.consumeRemainingAsBytes();
    long start = System.nanoTime();
    Optional<Summary> summary = DnsAnswerFuzzAccess.read(datagram, name, type);
    assertThat(System.nanoTime() - start).as("read time (ns)").isLessThan(READ_TIME_BOUND_NANOS);
    summary.ifPresent(s -> {
      assertThat(s.kind()).isIn("records", "alias", "failure");
      if (s.kind().equals("records")) {
        assertThat(s.values()).isNotEmpty();
        assertThat(s.ttlSeconds()).isNotNegative();
        for (String v : s.values()) {
          switch (type) {
            case "A" -> assertThat(NetUtil.isValidIpV4Address(v)).as(v).isTrue();
            case "AAAA" -> assertThat(NetUtil.isValidIpV6Address(v)).as(v).isTrue();
            default -> assertThat(v).isNotEmpty().hasSizeLessThanOrEqualTo(253).doesNotContain("\0", "\r", "\n");
          }
        }
      }
      // Names are at most 255 bytes on the wire (RFC 1035 section 3.1), however many pointers build them.
      assertThat(s.values()).allSatisfy(v -> assertThat(v.length()).isLessThanOrEqualTo(300));
    });
  }
}
