package io.mailgate.config;

import java.util.Set;

/**
 * What a directive may look like: where it is allowed, how many arguments it takes, whether it has a block, whether
 * it may repeat in one block, and whether mailgate accepts it only to ignore it.
 */
record DirectiveSpec(
    String name, Set<Context> contexts, int minArgs, int maxArgs, boolean block, boolean repeatable, boolean ignored) {

  /** No upper bound on arguments. */
  static final int MANY = Integer.MAX_VALUE;
}
