package io.mailgate.imap;

import static io.mailgate.codec.SplitFeed.UNLIMITED;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mailgate.codec.SplitFeed;
import io.mailgate.codec.SplitFeed.CommandInput;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * What an IMAP client sends before login ({@link ImapCommandParser} behind {@link ImapCommandDecoder}): literals
 * {@code {n}} and {@code {n+}}, quoted strings, ID lists, AUTHENTICATE and its SASL lines.
 */
class ImapCommandParserFuzzTest {

  /** Small limits reach the too-long paths; 4096 and 16384 are the defaults. */
  private static final int[] COMMAND_LIMITS = {4096, 64, 300};
  private static final int[] SASL_LIMITS = {16384, 32, 700};

  /**
   * Cut anywhere, the input gives the same requests and continuations as fed whole; every command is within its
   * line's limit, known, and free of NUL; a SASL line comes only where one was asked for.
   */
  @FuzzTest(maxDuration = "5s")
  void splitInputParsesAsWhole(FuzzedDataProvider data) {
    CommandInput in = CommandInput.consume(data, COMMAND_LIMITS, SASL_LIMITS);
    int commandLimit = in.commandLimit();
    int longest = in.longest();
    List<Object> whole = SplitFeed.sameWholeAndInPieces(in,
        new ImapCommandParser(commandLimit, in.saslLimit(), ImapProtocol.KNOWN_COMMANDS),
        new ImapCommandDecoder(commandLimit, in.saslLimit(), ImapProtocol.KNOWN_COMMANDS), ImapRequest.class,
        ImapCommandParserFuzzTest::saslNext);
    boolean saslExpected = false;
    for (Object event : whole) {
      if (event instanceof ImapRequest.Command command) {
        assertThat(saslExpected).as("a command where a SASL line was asked for").isFalse();
        assertThat(ImapProtocol.KNOWN_COMMANDS).contains(command.name());
        int limit = command.name().equals("AUTHENTICATE") ? longest : commandLimit;
        // Tag, one space, name, the arguments' bytes and the LF: the least the line can have held.
        assertThat(command.tag().length() + 1 + command.name().length() + argBytes(command.args()) + 1)
            .isLessThanOrEqualTo(limit);
        command.args().forEach(arg -> assertThat(arg).doesNotContain((byte) 0));
      } else if (event instanceof ImapRequest.SaslResponse response) {
        assertThat(saslExpected).as("a SASL line nobody asked for").isTrue();
        assertThat(String.join(" ", response.args()).length() + 1).isLessThanOrEqualTo(longest);
        assertThat(String.join("", response.args())).doesNotContain("\0", "\r", "\n");
      }
      if (event instanceof ImapRequest request) {
        saslExpected = saslNext(request);
      }
    }
  }

  /**
   * A command's arguments sent again as non-synchronizing literals parse to the same command; an ID list that parsed
   * goes out ({@link ImapIdList#wire}) and comes back as the same list.
   */
  @FuzzTest(maxDuration = "5s")
  void argumentsSentAsLiteralsParseTheSame(byte[] input) {
    List<Object> events = SplitFeed.fedWhole(new ImapCommandParser(UNLIMITED, UNLIMITED, ImapProtocol.KNOWN_COMMANDS),
        Arrays.copyOf(input, Math.min(input.length, SplitFeed.MAX_INPUT)), request -> false);
    for (Object event : events) {
      if (!(event instanceof ImapRequest.Command command)) {
        continue;
      }
      assertThat(parseOne(asLiterals(command))).isEqualTo(command);
      if (command.name().equals("ID") && ImapIdList.parse(command.args()) instanceof ImapIdList.Valid valid
          && valid.list().fields().stream().allMatch(ImapCommandParserFuzzTest::quotable)) {
        byte[] wire = ("x ID " + valid.list().wire() + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        ImapRequest.Command again = (ImapRequest.Command) parseOne(wire);
        assertThat(ImapIdList.parse(again.args())).isEqualTo(valid);
      }
    }
  }

  /** The one request {@code line} parses to. */
  private static Object parseOne(byte[] line) {
    List<Object> events = SplitFeed.fedWhole(new ImapCommandParser(UNLIMITED, UNLIMITED, ImapProtocol.KNOWN_COMMANDS),
        line, request -> false);
    assertThat(events).hasSize(1);
    return events.get(0);
  }

  /**
   * {@code tag name {n+}CRLF bytes ...CRLF}; ID keeps its first token (the list's parenthesis or an atom such as NIL)
   * and the list's closing parenthesis, since ID takes no literal in their place.
   */
  private static byte[] asLiterals(ImapRequest.Command command) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes((command.tag() + " " + command.name()).getBytes(StandardCharsets.US_ASCII));
    List<byte[]> args = command.args();
    for (int i = 0; i < args.size(); i++) {
      byte[] arg = args.get(i);
      boolean idSyntax = command.name().equals("ID")
          && (i == 0 || i == args.size() - 1 && Arrays.equals(args.get(0), ImapCommandParser.OPEN)
              && Arrays.equals(arg, ImapCommandParser.CLOSE));
      out.write(' ');
      if (idSyntax) {
        out.writeBytes(arg);
      } else {
        out.writeBytes(("{" + arg.length + "+}\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(arg);
      }
    }
    out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  /** After AUTHENTICATE, and after each SASL line but the client's {@code *} (cancel), the next line is SASL. */
  private static boolean saslNext(ImapRequest request) {
    if (request instanceof ImapRequest.Command command) {
      return command.name().equals("AUTHENTICATE");
    }
    return request instanceof ImapRequest.SaslResponse response && !response.args().equals(List.of("*"));
  }

  private static boolean quotable(ImapIdList.Field field) {
    return ImapQuotedString.representable(field.name())
        && (field.value() == null || ImapQuotedString.representable(field.value()));
  }

  private static int argBytes(List<byte[]> args) {
    return args.stream().mapToInt(arg -> arg.length).sum();
  }
}
