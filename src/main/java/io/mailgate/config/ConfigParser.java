package io.mailgate.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Parses nginx-syntax files into a {@link Directive} tree and expands {@code include} in place, in any context.
 * Relative include paths resolve against the main file's folder (nginx's conf prefix); glob matches are read in
 * sorted order, a glob with no match is fine, a plain path that does not exist is an error. Each file must balance
 * its own braces, as in nginx.
 */
public final class ConfigParser {

  private final Path baseDir;
  private final Deque<Path> open = new ArrayDeque<>();
  private final Consumer<SourceFile> onRead;

  private ConfigParser(Path baseDir, Consumer<SourceFile> onRead) {
    this.baseDir = baseDir;
    this.onRead = onRead;
  }

  /** One file the configuration was read from, with its text as read ({@code -T} prints them). */
  public record SourceFile(Path file, String text) {}

  /** Parses the main file (absolute) and everything it includes. */
  public static List<Directive> parse(Path mainFile) throws ConfigException {
    return parse(mainFile, file -> { });
  }

  /** As {@link #parse(Path)}, telling {@code onRead} of every file in the order read (the main file first). */
  public static List<Directive> parse(Path mainFile, Consumer<SourceFile> onRead) throws ConfigException {
    ConfigParser parser = new ConfigParser(mainFile.getParent(), onRead);
    return parser.parseFile(mainFile, null);
  }

  private List<Directive> parseFile(Path file, Directive includedBy) throws ConfigException {
    Path key = file.toAbsolutePath().normalize();
    if (open.contains(key)) {
      throw includedBy.error("include loop: \"" + file + "\" includes itself");
    }
    String text = read(file, includedBy);
    onRead.accept(new SourceFile(file, text));
    open.push(key);
    try {
      Cursor cursor = new Cursor(ConfigLexer.tokenize(text, file.toString()));
      return parseBlock(cursor, false);
    } finally {
      open.pop();
    }
  }

  private static String read(Path file, Directive includedBy) throws ConfigException {
    try {
      if (Files.isDirectory(file)) {
        throw openFailed(file, "21: Is a directory", includedBy);
      }
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw openFailed(file, "2: No such file or directory", includedBy);
    } catch (AccessDeniedException e) {
      throw openFailed(file, "13: Permission denied", includedBy);
    } catch (IOException e) {
      throw openFailed(file, e.getClass().getSimpleName() + ": " + e.getMessage(), includedBy);
    }
  }

  private static ConfigException openFailed(Path file, String reason, Directive includedBy) {
    String what = "open() \"" + file + "\" failed (" + reason + ")";
    return includedBy == null ? new ConfigException(what) : includedBy.error(what);
  }

  private List<Directive> parseBlock(Cursor cursor, boolean nested) throws ConfigException {
    List<Directive> out = new ArrayList<>();
    List<String> words = new ArrayList<>();
    while (true) {
      Token t = cursor.next();
      switch (t.kind()) {
        case WORD:
          words.add(t.text());
          break;
        case SEMICOLON:
          if (words.isEmpty()) {
            throw new ConfigException("unexpected \";\"", t.file(), t.line());
          }
          Directive simple = directive(words, Optional.empty(), t);
          if (simple.name().equals("include")) {
            out.addAll(include(simple));
          } else {
            out.add(simple);
          }
          words = new ArrayList<>();
          break;
        case OPEN:
          if (words.isEmpty()) {
            throw new ConfigException("unexpected \"{\"", t.file(), t.line());
          }
          List<String> header = words;
          words = new ArrayList<>();
          List<Directive> children = parseBlock(cursor, true);
          Directive block = directive(header, Optional.of(children), t);
          if (block.name().equals("include")) {
            throw block.error("directive \"include\" is not terminated by \";\"");
          }
          out.add(block);
          break;
        case CLOSE:
          if (!words.isEmpty() || !nested) {
            throw new ConfigException("unexpected \"}\"", t.file(), t.line());
          }
          return out;
        case EOF:
        default:
          if (!words.isEmpty()) {
            throw new ConfigException("unexpected end of file, expecting \";\" or \"}\"", t.file(), t.line());
          }
          if (nested) {
            throw new ConfigException("unexpected end of file, expecting \"}\"", t.file(), t.line());
          }
          return out;
      }
    }
  }

  private static Directive directive(List<String> words, Optional<List<Directive>> block, Token end) {
    return new Directive(words.get(0), words.subList(1, words.size()), block, end.file(), end.line());
  }

  private List<Directive> include(Directive d) throws ConfigException {
    if (d.args().size() != 1) {
      throw d.error("invalid number of arguments in \"include\" directive");
    }
    Path pattern = Values.path(d, baseDir, d.arg(0));
    List<Directive> out = new ArrayList<>();
    if (!IncludeGlob.isGlob(d.arg(0))) {
      out.addAll(parseFile(pattern, d));
      return out;
    }
    for (Path file : IncludeGlob.expand(pattern)) {
      out.addAll(parseFile(file, d));
    }
    return out;
  }

  /** Reads tokens one by one. */
  private static final class Cursor {
    private final List<Token> tokens;
    private int index;

    Cursor(List<Token> tokens) {
      this.tokens = tokens;
    }

    Token next() {
      Token t = tokens.get(index);
      if (t.kind() != Token.Kind.EOF) {
        index++;
      }
      return t;
    }
  }
}
