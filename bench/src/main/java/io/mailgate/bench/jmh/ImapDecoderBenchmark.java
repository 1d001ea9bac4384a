package io.mailgate.bench.jmh;

import io.mailgate.imap.ImapCommandDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One pre-login IMAP command through {@link ImapCommandDecoder} in a channel pipeline, as a session sees it: bytes
 * in, one {@code ImapRequest} out. The synchronizing-literal case includes writing the {@code + OK} continuation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled"})
public class ImapDecoderBenchmark {

  /** The command: LOGIN as quoted strings, as {@code {n+}} or {@code {n}} literals, or AUTHENTICATE with 4 KB. */
  @Param({"login-quoted", "login-literal-plus", "login-literal", "authenticate-4k"})
  public String input;

  private EmbeddedChannel channel;
  private ByteBuf bytes;

  /** Builds the decoder (mailgate's defaults: 4 KB commands, 16 KB SASL lines) and the input bytes. */
  @Setup
  public void setup() {
    String user = "someone@example.com";
    String password = "correct horse battery staple";
    String text;
    switch (input) {
      case "login-quoted":
        text = "a001 LOGIN \"" + user + "\" \"" + password + "\"\r\n";
        break;
      case "login-literal-plus":
        text = "a001 LOGIN {" + user.length() + "+}\r\n" + user + " {" + password.length() + "+}\r\n" + password
            + "\r\n";
        break;
      case "login-literal":
        text = "a001 LOGIN {" + user.length() + "}\r\n" + user + " {" + password.length() + "}\r\n" + password
            + "\r\n";
        break;
      default:
        text = "a001 AUTHENTICATE OAUTHBEARER " + Tokens.base64OfLength(4096) + "\r\n";
    }
    bytes = Unpooled.directBuffer().writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
    channel = new EmbeddedChannel(new ImapCommandDecoder(4096, 16384,
        Set.of("CAPABILITY", "NOOP", "LOGOUT", "LOGIN", "AUTHENTICATE", "STARTTLS", "ID")));
  }

  /** Releases the channel and the input. */
  @TearDown
  public void tearDown() {
    channel.finishAndReleaseAll();
    bytes.release();
  }

  /** Decodes one command. */
  @Benchmark
  public Object decode() {
    channel.pipeline().fireChannelRead(bytes.retainedDuplicate());
    Object request = channel.readInbound();
    channel.releaseOutbound();
    return request;
  }

  /** Inputs shared by the benchmarks. */
  static final class Tokens {

    private Tokens() {}

    /** Base64 text of exactly {@code length} characters (a multiple of 4), from fixed pseudo-random bytes. */
    static String base64OfLength(int length) {
      byte[] raw = new byte[length / 4 * 3];
      java.util.Random random = new java.util.Random(42);
      random.nextBytes(raw);
      return Base64.getEncoder().encodeToString(raw);
    }

    /** A JWT-shaped bearer token of about {@code length} characters. */
    static String jwtLike(int length) {
      String header = Base64.getUrlEncoder().withoutPadding()
          .encodeToString("{\"alg\":\"RS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
      StringBuilder token = new StringBuilder(header).append('.');
      String body = base64OfLength(length).replace('+', '-').replace('/', '_');
      token.append(body, 0, Math.max(0, length - header.length() - 44)).append('.');
      return token.append(body, 0, 43).toString();
    }
  }
}
