package io.mailgate.bench.jmh;

import io.mailgate.sasl.LenientBase64;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** mailgate's nginx-compatible base64 decoder on a 4 KB token, with the JDK's strict decoder as the baseline. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Base64Benchmark {

  /** Characters of base64 text. */
  @Param({"4096"})
  public int length;

  private String text;

  /** Builds the text. */
  @Setup
  public void setup() {
    text = ImapDecoderBenchmark.Tokens.base64OfLength(length);
  }

  /** {@link LenientBase64#decode}. */
  @Benchmark
  public Optional<byte[]> lenient() {
    return LenientBase64.decode(text);
  }

  /** {@link java.util.Base64.Decoder#decode(String)}, for comparison. */
  @Benchmark
  public byte[] jdk() {
    return Base64.getDecoder().decode(text);
  }
}
