package io.mailgate.bench.jmh;

import io.mailgate.sasl.Mechanism;
import io.mailgate.sasl.Sasl;
import io.mailgate.sasl.SaslContext;
import io.mailgate.sasl.SaslStep;
import java.nio.charset.StandardCharsets;
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

/**
 * A SASL exchange started with an initial response, as after {@code AUTHENTICATE <mech> <ir>}: base64 decoding and
 * the mechanism's message parsing, up to the credentials. OAuth tokens are JWT-shaped, about 1.2 KB.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SaslBenchmark {

  /** The mechanism. */
  @Param({"PLAIN", "XOAUTH2", "OAUTHBEARER"})
  public String mechanism;

  private Mechanism mech;
  private Optional<String> initialResponse;
  private final SaslContext context = new SaslContext(() -> "<1896.697170952@mail.example.com>", false);

  /** Builds the initial response. */
  @Setup
  public void setup() {
    mech = Mechanism.valueOf(mechanism);
    String user = "someone@example.com";
    String token = ImapDecoderBenchmark.Tokens.jwtLike(1200);
    String message;
    switch (mech) {
      case XOAUTH2:
        message = "user=" + user + "\u0001auth=Bearer " + token + "\u0001\u0001";
        break;
      case OAUTHBEARER:
        message = "n,a=" + user + ",\u0001host=mail.example.com\u0001port=993\u0001auth=Bearer " + token
            + "\u0001\u0001";
        break;
      default:
        message = "\u0000" + user + "\u0000correct horse battery staple";
    }
    initialResponse = Optional.of(Base64.getEncoder().encodeToString(message.getBytes(StandardCharsets.UTF_8)));
  }

  /** One exchange from start to credentials. */
  @Benchmark
  public SaslStep start() {
    return Sasl.start(mech, context).start(initialResponse);
  }
}
