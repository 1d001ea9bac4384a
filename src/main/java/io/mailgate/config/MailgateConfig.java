package io.mailgate.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A whole, validated configuration: the main context, {@code events {}} and the {@code mail {}} servers.
 *
 * @param configFile the main configuration file (absolute)
 * @param prefix the {@code -p} prefix logs and the pid file resolve against (absolute)
 * @param workerProcesses event-loop threads ({@code worker_processes}; {@code auto} already resolved to cores)
 * @param workerConnections connections each event-loop thread may hold ({@code events { worker_connections }})
 * @param pidFile {@code pid}, resolved against the prefix; empty when {@code pid off;}
 * @param errorLog the main {@code error_log}
 * @param shutdownTimeout how long a graceful stop lets proxied sessions finish ({@code shutdown_timeout}, or nginx's
 *     {@code worker_shutdown_timeout})
 * @param servers every {@code mail { server {} }}, settings inherited from {@code mail} already merged in
 * @param metricsListen {@code metrics_listen}: the metrics and health HTTP server's address; empty (the default) runs
 *     none
 */
public record MailgateConfig(
    Path configFile,
    Path prefix,
    int workerProcesses,
    int workerConnections,
    Optional<Path> pidFile,
    ErrorLogConfig errorLog,
    Duration shutdownTimeout,
    List<ServerConfig> servers,
    Optional<MetricsListen> metricsListen) {

  /**
   * The default {@code shutdown_timeout}. nginx waits without limit, but IMAP IDLE sessions never end by themselves,
   * so an unbounded wait would hold every stop for hours, and a restart (systemd starts the new process only once
   * this one has exited) refuses connections for as long as the drain lasts. 10 s lets the FETCH or APPEND in flight
   * finish on an ordinary link (a 50 MB message crosses a 50 Mbit/s link in 8 s), and clients cut off in IDLE
   * reconnect by themselves.
   */
  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

  public MailgateConfig {
    servers = List.copyOf(servers);
  }

  /** A configuration without {@code metrics_listen}. */
  public MailgateConfig(Path configFile, Path prefix, int workerProcesses, int workerConnections,
      Optional<Path> pidFile, ErrorLogConfig errorLog, Duration shutdownTimeout, List<ServerConfig> servers) {
    this(configFile, prefix, workerProcesses, workerConnections, pidFile, errorLog, shutdownTimeout, servers,
        Optional.empty());
  }
}
