package io.mailgate.authn.routing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads a small line-oriented data file (users file, backend map) for a loader. */
public final class DataFileLines {

  private DataFileLines() {}

  /**
   * The file's lines without their LF, decoded as strict UTF-8 so a bad byte is reported with its line number rather
   * than silently replaced. A CR before the LF is kept (callers strip whitespace).
   *
   * @throws FileFormatException naming the first line that is not UTF-8
   */
  public static List<String> read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    List<String> lines = new ArrayList<>();
    int start = 0;
    while (start < bytes.length) {
      int end = start;
      while (end < bytes.length && bytes[end] != '\n') {
        end++;
      }
      try {
        lines.add(decoder.decode(ByteBuffer.wrap(bytes, start, end - start)).toString());
      } catch (CharacterCodingException e) {
        throw new FileFormatException(file, lines.size() + 1, "not valid UTF-8");
      }
      start = end + 1;
    }
    return lines;
  }
}
