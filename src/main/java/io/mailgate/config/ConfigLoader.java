package io.mailgate.config;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Loads an nginx-syntax configuration: lexer, parser (with includes), then binding and validation into
 * {@link MailgateConfig}. Host names in {@code listen} and {@code auth_http} are resolved here, so call it at
 * start-up or reload, never on an event loop.
 */
public final class ConfigLoader {

  private ConfigLoader() {}

  /**
   * Parses and validates; {@code configFile} absolute or relative to cwd; {@code prefix} absolute. Notices (skipped
   * directives) go to {@code notices}, each once.
   */
  public static MailgateConfig load(Path configFile, Path prefix, Consumer<String> notices) throws ConfigException {
    return load(configFile, prefix, notices, source -> { });
  }

  /** As {@link #load(Path, Path, Consumer)}, telling {@code sources} of every file read, in order ({@code -T}). */
  public static MailgateConfig load(Path configFile, Path prefix, Consumer<String> notices,
      Consumer<ConfigParser.SourceFile> sources) throws ConfigException {
    Path file = configFile.toAbsolutePath().normalize();
    Path root = prefix.toAbsolutePath().normalize();
    List<Directive> top = ConfigParser.parse(file, sources);
    return new MainBinder(file, root, new Notices(notices), memoized(HostName::local)).bind(top);
  }

  private static Supplier<String> memoized(Supplier<String> source) {
    return new Supplier<>() {
      private String value;

      @Override
      public String get() {
        if (value == null) {
          value = source.get();
        }
        return value;
      }
    };
  }
}
