package io.mailgate.accesslog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * One JSON object per line, written by Jackson's streaming generator (which escapes quotes, backslashes and control
 * characters as JSON requires, and DEL); every non-ASCII character is written as {@code \}{@code uXXXX} so that the line is
 * ASCII, and a missing value is {@code null}. Free text is capped as in the text format.
 */
final class JsonLineFormat implements LineFormat {

  private static final JsonFactory FACTORY = new JsonFactoryBuilder()
      .enable(JsonWriteFeature.ESCAPE_NON_ASCII).characterEscapes(new AsciiOnly()).build();

  /** JSON's own escapes, plus DEL, which JSON lets through raw but a terminal would act on. */
  private static final class AsciiOnly extends CharacterEscapes {
    private static final long serialVersionUID = 1L;
    private static final int[] ESCAPES = standardAsciiEscapesForJSON();

    static {
      ESCAPES[0x7f] = CharacterEscapes.ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ESCAPES;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      return null;
    }
  }

  @Override
  public String format(AccessLogEntry e) {
    StringWriter out = new StringWriter(384);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("time", LineFormat.time(e.endMillis()));
      g.writeStringField("start", LineFormat.time(e.startMillis()));
      string(g, "session", e.id(), MAX_TOKEN);
      string(g, "protocol", e.protocol(), MAX_TOKEN);
      string(g, "listener", e.listener(), MAX_TOKEN);
      string(g, "client", e.client(), MAX_TOKEN);
      string(g, "tls_protocol", e.tlsProtocol(), MAX_TOKEN);
      string(g, "tls_cipher", e.tlsCipher(), MAX_TOKEN);
      string(g, "user", e.user(), MAX_USER);
      string(g, "mechanism", e.mechanism(), MAX_TOKEN);
      string(g, "result", e.outcome(), MAX_TOKEN);
      string(g, "backend", e.backend(), MAX_TOKEN);
      g.writeNumberField("bytes_from_client", e.bytesFromClient());
      g.writeNumberField("bytes_to_client", e.bytesToClient());
      g.writeNumberField("duration_ms", e.durationMillis());
      string(g, "close_reason", e.closeReason(), MAX_TEXT);
      g.writeEndObject();
    } catch (IOException ex) {
      // A StringWriter does not fail; Jackson declares it all the same.
      throw new UncheckedIOException(ex);
    }
    return out.toString();
  }

  private static void string(JsonGenerator g, String name, String value, int max) throws IOException {
    if (value == null) {
      g.writeNullField(name);
    } else if (value.length() > max) {
      // Cut on a code point boundary, so no lone surrogate is made here.
      int end = Character.isHighSurrogate(value.charAt(max - 1)) ? max - 1 : max;
      g.writeStringField(name, value.substring(0, end) + "...");
    } else {
      g.writeStringField(name, value);
    }
  }
}
