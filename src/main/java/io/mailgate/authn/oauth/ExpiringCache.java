package io.mailgate.authn.oauth;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** A bounded least-recently-used map whose entries also expire. */
final class ExpiringCache<V> {

  private final Map<String, Entry<V>> entries;

  ExpiringCache(int maxEntries) {
    entries = new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry<V>> eldest) {
        return size() > maxEntries;
      }
    };
  }

  /** The live value for {@code key}, dropping it when expired. */
  synchronized V get(String key, Instant now) {
    Entry<V> e = entries.get(key);
    if (e == null) {
      return null;
    }
    if (!now.isBefore(e.expiresAt())) {
      entries.remove(key);
      return null;
    }
    return e.value();
  }

  /** Keeps {@code value} until {@code expiresAt} (or until evicted). */
  synchronized void put(String key, V value, Instant expiresAt) {
    entries.put(key, new Entry<>(value, expiresAt));
  }

  synchronized int size() {
    return entries.size();
  }

  private record Entry<V>(V value, Instant expiresAt) {}
}
