package io.mailgate.config;

import java.nio.file.Path;
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
 * @param servers every {@code mail { server {} }}, settings inherited from {@code mail} already merged in
 */
public record MailgateConfig(
    Path configFile,
    Path prefix,
    int workerProcesses,
    int workerConnections,
    Optional<Path> pidFile,
    ErrorLogConfig errorLog,
    List<ServerConfig> servers) {

  public MailgateConfig {
    servers = List.copyOf(servers);
  }
}
