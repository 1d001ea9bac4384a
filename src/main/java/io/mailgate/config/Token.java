package io.mailgate.config;

/**
 * One lexical token of an nginx-syntax configuration file.
 *
 * @param kind what the token is
 * @param text the word with quotes removed and escapes applied ({@code ;}, {@code {}, {@code }} or empty otherwise)
 * @param file the file it was read from, for messages
 * @param line the line the token ends on (nginx reports a directive at the line of its terminator)
 */
public record Token(Kind kind, String text, String file, int line) {

  /** Token kinds. */
  public enum Kind {
    /** A bare or quoted word. */
    WORD,
    /** {@code ;}, the end of a simple directive. */
    SEMICOLON,
    /** <code>{</code>, the start of a block. */
    OPEN,
    /** <code>}</code>, the end of a block. */
    CLOSE,
    /** The end of the file. */
    EOF
  }
}
