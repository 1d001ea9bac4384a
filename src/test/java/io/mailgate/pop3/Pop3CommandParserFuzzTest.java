package io.mailgate.pop3;

import static io.mailgate.codec.SplitFeed.UNLIMITED;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mailgate.codec.RequestDecoder;
import io.mailgate.codec.SplitFeed;
import io.mailgate.codec.SplitFeed.CommandInput;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** What a POP3 client sends before login ({@link Pop3CommandParser}), commands and AUTH's SASL lines. */
class Pop3CommandParserFuzzTest {

  /** Small limits reach the too-long paths; 512 and 16384 are the defaults. */
  private static final int[] COMMAND_LIMITS = {512, 40};
  private static final int[] SASL_LIMITS = {16384, 100};

  /**
   * Cut anywhere, the input gives the same requests as fed whole; a command is known, has at most three arguments,
   * fits its line's limit, carries no NUL, CR or LF, and sent again as {@code NAME arg arg CRLF} parses the same.
   */
  @FuzzTest(maxDuration = "5s")
  void splitInputParsesAsWhole(FuzzedDataProvider data) {
    CommandInput in = CommandInput.consume(data, COMMAND_LIMITS, SASL_LIMITS);
    int commandLimit = in.commandLimit();
    int longest = in.longest();
    List<Object> whole = SplitFeed.sameWholeAndInPieces(in, new Pop3CommandParser(commandLimit, in.saslLimit()),
        new RequestDecoder<>(new Pop3CommandParser(commandLimit, in.saslLimit()), 4 * in.saslLimit()),
        Pop3Request.class, Pop3CommandParserFuzzTest::saslNext);
    for (Object event : whole) {
      if (event instanceof Pop3Request.Command command) {
        assertThat(Pop3CommandParser.KNOWN_COMMANDS).contains(command.name());
        assertThat(command.args()).hasSizeLessThanOrEqualTo(3);
        String line = command.name() + (command.args().isEmpty() ? "" : " " + String.join(" ", command.args()));
        assertThat(line).doesNotContain("\0", "\r", "\n");
        assertThat(line.length() + 1).isLessThanOrEqualTo(command.name().equals("AUTH") ? longest : commandLimit);
        List<Object> again = SplitFeed.fedWhole(new Pop3CommandParser(UNLIMITED, UNLIMITED),
            (line + "\r\n").getBytes(StandardCharsets.ISO_8859_1), request -> false);
        assertThat(again).containsExactly(command);
      } else if (event instanceof Pop3Request.SaslResponse response) {
        assertThat(response.args()).hasSizeLessThanOrEqualTo(3);
        assertThat(String.join(" ", response.args()).length() + 1).isLessThanOrEqualTo(longest);
        assertThat(String.join("", response.args())).doesNotContain("\0", "\r", "\n");
      }
    }
  }

  /** After AUTH without an initial response, and after each SASL line but {@code *} (cancel), the next is SASL. */
  private static boolean saslNext(Pop3Request request) {
    if (request instanceof Pop3Request.Command command) {
      return command.name().equals("AUTH") && command.args().size() == 1;
    }
    return request instanceof Pop3Request.SaslResponse response && !response.args().equals(List.of("*"));
  }
}
