package io.mailgate.smtp;

import static io.mailgate.codec.SplitFeed.UNLIMITED;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mailgate.codec.SplitFeed;
import io.mailgate.codec.SplitFeed.CommandInput;
import java.util.Arrays;
import java.util.List;

/** What an SMTP client sends before login ({@link SmtpCommandParser} behind {@link SmtpCommandDecoder}). */
class SmtpCommandParserFuzzTest {

  /** Small limits reach the too-long paths; 4096 and 16384 are the defaults. */
  private static final int[] COMMAND_LIMITS = {4096, 40};
  private static final int[] SASL_LIMITS = {16384, 100};

  /**
   * Cut anywhere, the input gives the same requests as fed whole; a command has at most 11 arguments, fits its line's
   * limit, carries no NUL, CR or LF, and its {@link SmtpRequest.Command#line()} sent again parses the same.
   */
  @FuzzTest(maxDuration = "5s")
  void splitInputParsesAsWhole(FuzzedDataProvider data) {
    CommandInput in = CommandInput.consume(data, COMMAND_LIMITS, SASL_LIMITS);
    int commandLimit = in.commandLimit();
    int longest = in.longest();
    List<Object> whole = SplitFeed.sameWholeAndInPieces(in, new SmtpCommandParser(commandLimit, in.saslLimit()),
        new SmtpCommandDecoder(commandLimit, in.saslLimit(), 4 * in.saslLimit()), SmtpRequest.class,
        SmtpCommandParserFuzzTest::saslNext);
    for (Object event : whole) {
      if (event instanceof SmtpRequest.Command command) {
        byte[] line = command.line();
        assertThat(command.args()).hasSizeLessThanOrEqualTo(SmtpCommandParser.MAX_ARGS);
        assertThat(line).doesNotContain((byte) 0, (byte) '\r', (byte) '\n');
        assertThat(line.length + 2).isLessThanOrEqualTo(command.verb() == SmtpVerb.AUTH ? longest : commandLimit);
        byte[] again = Arrays.copyOf(line, line.length + 2);
        again[line.length] = '\r';
        again[line.length + 1] = '\n';
        assertThat(SplitFeed.fedWhole(new SmtpCommandParser(UNLIMITED, UNLIMITED), again, request -> false))
            .containsExactly(command);
      } else if (event instanceof SmtpRequest.SaslResponse response) {
        assertThat(String.join(" ", response.args()).length() + 2).isLessThanOrEqualTo(longest);
        assertThat(String.join("", response.args())).doesNotContain("\0", "\r", "\n");
      }
    }
  }

  /** After AUTH without an initial response, and after each SASL line but {@code *} (cancel), the next is SASL. */
  private static boolean saslNext(SmtpRequest request) {
    if (request instanceof SmtpRequest.Command command) {
      return command.verb() == SmtpVerb.AUTH && command.args().size() == 1;
    }
    return request instanceof SmtpRequest.SaslResponse response && !response.args().equals(List.of("*"));
  }
}
