package io.mailgate.config;

import java.util.List;
import java.util.Optional;

/**
 * One parsed directive: its name, arguments, block (if it has one) and where it ends, as nginx reports it.
 *
 * @param name the first word
 * @param args the other words
 * @param block the directives inside <code>{ }</code>, when the directive has a block
 * @param file the file it is in
 * @param line the line of its terminating {@code ;} or <code>{</code>
 */
public record Directive(String name, List<String> args, Optional<List<Directive>> block, String file, int line) {

  public Directive {
    args = List.copyOf(args);
    block = block.map(List::copyOf);
  }

  /** The i-th argument (0-based, not counting the name). */
  public String arg(int i) {
    return args.get(i);
  }

  /** An error at this directive: {@code <what> in <file>:<line>}. */
  public ConfigException error(String what) {
    return new ConfigException(what, file, line);
  }

  /** The block's directives, or an empty list for a simple directive. */
  public List<Directive> children() {
    return block.orElse(List.of());
  }
}
