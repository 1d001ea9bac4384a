package io.mailgate.resolver;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Replies by question, each kept for its TTL (or {@code valid=}), least recently used dropped first. nginx keeps an
 * answer for its TTL too, and forgets names not asked for a while; the bound keeps a flood of distinct clients from
 * growing it without limit. Used on one event loop only.
 */
final class ReplyCache {

  private final int capacity;
  private final Map<String, Entry> entries;

  private record Entry(Reply reply, long expiresAtNanos) {}

  ReplyCache(int capacity) {
    this.capacity = capacity;
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
        return size() > ReplyCache.this.capacity;
      }
    };
  }

  /** The reply cached for {@code key}, unless it has expired at {@code nowNanos}. */
  Optional<Reply> get(String key, long nowNanos) {
    Entry e = entries.get(key);
    if (e == null) {
      return Optional.empty();
    }
    if (e.expiresAtNanos - nowNanos <= 0) {
      entries.remove(key);
      return Optional.empty();
    }
    return Optional.of(e.reply);
  }

  /** Keeps {@code reply} for {@code seconds} from {@code nowNanos}; zero keeps nothing. */
  void put(String key, Reply reply, long seconds, long nowNanos) {
    if (seconds <= 0) {
      entries.remove(key);
      return;
    }
    entries.put(key, new Entry(reply, nowNanos + Math.min(seconds, Integer.MAX_VALUE) * 1_000_000_000L));
  }

  /** How many replies are held (for tests). */
  int size() {
    return entries.size();
  }
}
