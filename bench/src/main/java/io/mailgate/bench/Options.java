package io.mailgate.bench;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A load-generator run's settings.
 *
 * @param scenario the scenario name
 * @param target where to connect
 * @param spec how sessions log in
 * @param tls implicit TLS
 * @param threads client event-loop threads
 * @param timeout longest wait for one reply
 * @param warmup time run before the measurement window (login-storm, relay-*)
 * @param duration the measurement window
 * @param concurrency connection slots (login-storm, relay-*)
 * @param messageSize APPEND size (relay-append)
 * @param count NOOP round trips measured (latency)
 * @param warmupCount NOOP round trips before measuring (latency)
 * @param sessions sessions held (idle)
 * @param hold how long they are held (idle)
 * @param ramp logins in flight while establishing (idle)
 * @param readyFile touched once every idle session is established, or null
 * @param proxy the processes whose CPU time and RSS are reported
 * @param label free text copied into the result (e.g. which proxy)
 * @param sources local addresses the connections are bound to in turn (idle), empty for the kernel's choice: one
 *     source address and one target allow only as many connections as the ephemeral port range holds (about 28,000
 *     on Linux's default 32768-60999), so 100,000 idle sessions need several loopback sources (127.0.0.x)
 * @param tlsVersion {@code 1.2} or {@code 1.3} only, or null for both (with {@code tls})
 * @param tlsResume whether a new connection offers the session of an earlier one (with {@code tls})
 */
public record Options(String scenario, HostPort target, LoginSpec spec, boolean tls, int threads, Duration timeout,
    Duration warmup, Duration duration, int concurrency, int messageSize, int count, int warmupCount, int sessions,
    Duration hold, int ramp, Path readyFile, ProcStats proxy, String label, List<InetAddress> sources,
    String tlsVersion, boolean tlsResume) {

  /** The fields every result line starts with. */
  public Json header() {
    Json j = new Json().put("scenario", scenario);
    if (label != null) {
      j.put("label", label);
    }
    j.put("target", target.toString()).put("protocol", spec.protocol()).put("auth", spec.auth()).put("tls", tls);
    if (tls) {
      j.put("tls_version", tlsVersion == null ? "any" : tlsVersion).put("tls_resume", tlsResume);
    }
    return j.put("transport", Net.name()).put("threads", threads);
  }
}
