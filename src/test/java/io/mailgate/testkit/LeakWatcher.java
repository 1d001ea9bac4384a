package io.mailgate.testkit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Fails tests on Netty buffer leaks: Netty reports a leak (an ERROR line starting "LEAK:") only after the leaked buffer
 * is garbage-collected, so {@link #assertNoLeaks()} forces collections and allocations, then checks what was reported.
 */
public final class LeakWatcher {

  private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

  private LeakWatcher() {}

  /** Hooks the capture into logging (again after each logging reset). */
  public static void install() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger logger = context.getLogger(ResourceLeakDetector.class);
    if (logger.getAppender("leak-watcher") != null) {
      return;
    }
    AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
      @Override
      protected void append(ILoggingEvent event) {
        if (event.getFormattedMessage().contains("LEAK:")) {
          LEAKS.add(event.getFormattedMessage());
        }
      }
    };
    appender.setName("leak-watcher");
    appender.setContext(context);
    appender.start();
    logger.addAppender(appender);
    logger.setLevel(ch.qos.logback.classic.Level.ERROR);
  }

  /**
   * A test class's teardown: closes {@code resources} in order (a null one was never started), then asserts no leaks.
   * A failing close does not stop the others; the first failure is thrown once all are closed.
   */
  public static void closeThenAssertNoLeaks(AutoCloseable... resources) throws Exception {
    try {
      Exception failure = null;
      for (AutoCloseable resource : resources) {
        try {
          if (resource != null) {
            resource.close();
          }
        } catch (Exception e) {
          if (failure == null) {
            failure = e;
          } else {
            failure.addSuppressed(e);
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
    } finally {
      assertNoLeaks();
    }
  }

  /** Forces leak reports out and throws if any buffer leaked. */
  public static void assertNoLeaks() throws InterruptedException {
    install();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(20);
      // The detector checks its reference queue on allocation.
      for (int j = 0; j < 64; j++) {
        ByteBuf probe = PooledByteBufAllocator.DEFAULT.buffer(16);
        probe.release();
      }
    }
    if (!LEAKS.isEmpty()) {
      String first = LEAKS.get(0);
      LEAKS.clear();
      throw new AssertionError("Netty buffer leak detected: " + first);
    }
  }
}
