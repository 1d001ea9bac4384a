package io.mailgate.log;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;
import io.mailgate.config.LogLevel;

/**
 * Logback's first configuration, before mailgate reads its own: warnings to standard error in nginx's format. Done in
 * code (found through {@code META-INF/services}) because parsing a logback.xml costs hundreds of milliseconds of
 * start-up, and the nginx-tests harness gives mailgate five seconds on a busy machine.
 */
public final class QuietConfigurator extends ContextAwareBase implements Configurator {

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    ErrorLogs.configureStderr(context, LogLevel.WARN);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
