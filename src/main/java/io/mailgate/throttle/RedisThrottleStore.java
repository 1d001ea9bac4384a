package io.mailgate.throttle;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.mailgate.config.ThrottleConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Failure counters in Redis, so that every mailgate in front of the same users counts the same failures. Each bucket
 * of a key is a Redis string ({@code mailgate:throttle:<window ms>:<key>:<bucket>}) that expires two windows after its
 * first failure, when it can no longer be the previous bucket of anything. One connection, on Lettuce's own threads
 * (one I/O, one computation); only the async API is used, every command has a timeout, and while the connection is
 * down commands fail at once instead of queueing: the caller applies {@code throttle_redis_failure}.
 */
public final class RedisThrottleStore implements ThrottleStore, AutoCloseable {

  static final String PREFIX = "mailgate:throttle:";
  /** INCR each key and give a new one its expiry, in one step (a failure is never counted without an expiry). */
  private static final String ADD_FAILURE = "for _, k in ipairs(KEYS) do "
      + "if redis.call('INCR', k) == 1 then redis.call('PEXPIRE', k, ARGV[1]) end end return #KEYS";
  /** A failed connect is not retried for this long: each login would otherwise wait for its own connect. */
  private static final long RECONNECT_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final ThrottleConfig.RedisTarget target;
  private final Duration timeout;
  private final ClientResources resources;
  private final RedisClient client;
  private final RedisURI uri;
  private CompletableFuture<StatefulRedisConnection<String, String>> connection;
  private long connectStarted;

  /** A store on {@code target}; it connects on first use (start-up never waits for Redis). */
  public RedisThrottleStore(ThrottleConfig.RedisTarget target, Duration timeout) {
    this.target = target;
    this.timeout = timeout;
    // Reconnects back off from 100 ms to 5 s (Lettuce's default goes to 30 s): throttling resumes soon after Redis.
    this.resources = DefaultClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(1)
        .reconnectDelay(Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(5), 2, TimeUnit.MILLISECONDS))
        .build();
    this.client = RedisClient.create(resources);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(timeout))
        .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
        .build());
    this.uri = RedisURI.create(target.uri());
    uri.setTimeout(timeout);
  }

  /** The connection's commands: the live connection, one being made, or a fresh connect after a failed one. */
  private CompletableFuture<RedisAsyncCommands<String, String>> commands() {
    CompletableFuture<StatefulRedisConnection<String, String>> c;
    synchronized (this) {
      c = connection;
      boolean failed = c != null && c.isCompletedExceptionally();
      if (c == null || failed && System.nanoTime() - connectStarted > RECONNECT_PAUSE_NANOS) {
        connectStarted = System.nanoTime();
        c = client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
        connection = c;
      }
    }
    return c.thenApply(StatefulRedisConnection::async);
  }

  /** Lettuce times its commands out; this bounds the connect wait and anything else, whatever happens. */
  private <T> CompletableFuture<T> bounded(CompletableFuture<T> stage) {
    return stage.orTimeout(timeout.toMillis() * 2 + 100, TimeUnit.MILLISECONDS);
  }

  static String bucketKey(String key, long windowMillis, long bucket) {
    return PREFIX + windowMillis + ":" + key + ":" + bucket;
  }

  @Override
  public CompletionStage<long[]> counts(List<String> keys, long windowMillis, long bucket) {
    String[] names = new String[keys.size() * 2];
    for (int i = 0; i < keys.size(); i++) {
      names[i * 2] = bucketKey(keys.get(i), windowMillis, bucket);
      names[i * 2 + 1] = bucketKey(keys.get(i), windowMillis, bucket - 1);
    }
    return bounded(commands().thenCompose(r -> r.mget(names).toCompletableFuture()).thenApply(values -> {
      long[] out = new long[names.length];
      for (int i = 0; i < out.length && i < values.size(); i++) {
        KeyValue<String, String> kv = values.get(i);
        out[i] = kv.hasValue() ? Long.parseLong(kv.getValue()) : 0;
      }
      return out;
    }));
  }

  @Override
  public CompletionStage<Void> addFailure(List<String> keys, long windowMillis, long bucket) {
    List<String> names = new ArrayList<>(keys.size());
    keys.forEach(k -> names.add(bucketKey(k, windowMillis, bucket)));
    String expiry = Long.toString(windowMillis * 2);
    return bounded(commands().thenCompose(r -> r.<Long>eval(ADD_FAILURE, ScriptOutputType.INTEGER,
        names.toArray(String[]::new), expiry).toCompletableFuture()).thenApply(n -> null));
  }

  @Override
  public CompletionStage<Void> clear(String key, long windowMillis, long bucket) {
    return bounded(commands().thenCompose(r -> r.del(bucketKey(key, windowMillis, bucket),
        bucketKey(key, windowMillis, bucket - 1)).toCompletableFuture()).thenApply(n -> null));
  }

  @Override
  public String describe() {
    return "redis " + target.describe();
  }

  /** Closes the connection and Lettuce's threads; blocks up to a few seconds: call it off the event loops. */
  @Override
  public void close() {
    client.shutdown(0, 2, TimeUnit.SECONDS);
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
