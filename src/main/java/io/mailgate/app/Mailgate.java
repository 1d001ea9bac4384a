package io.mailgate.app;

import io.mailgate.auth.AuthClient;
import io.mailgate.backend.BackendConnector;
import io.mailgate.config.BackendTlsConfig;
import io.mailgate.config.ErrorLogConfig;
import io.mailgate.config.MailgateConfig;
import io.mailgate.config.ServerConfig;
import io.mailgate.imap.ImapProtocol;
import io.mailgate.log.ErrorLogs;
import io.mailgate.log.NginxLevels;
import io.mailgate.pop3.Pop3Protocol;
import io.mailgate.resolver.ClientNameResolvers;
import io.mailgate.session.MailProtocol;
import io.mailgate.session.ServerRuntime;
import io.mailgate.tls.BackendTls;
import io.mailgate.tls.ServerTls;
import io.mailgate.tls.TlsSetupException;
import io.mailgate.smtp.SmtpProtocol;
import io.mailgate.transport.ConnectionGate;
import io.mailgate.transport.Listeners;
import io.mailgate.transport.PerLoopConnectionGate;
import io.mailgate.transport.Transport;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running mailgate: wires the services from a configuration, binds, writes the pid file, and stops on TERM/INT.
 * Tests start one in-process with {@link #start()} and {@link #stop()}.
 */
public final class Mailgate {

  private static final Logger LOG = LoggerFactory.getLogger(Mailgate.class);

  /** The protocols this build serves, by the name {@code protocol} gives. */
  private static final Map<String, Supplier<MailProtocol>> PROTOCOLS =
      Map.of("imap", ImapProtocol::new, "pop3", Pop3Protocol::new, "smtp", SmtpProtocol::new);

  private final MailgateConfig config;
  private final List<String> notices;
  private Authenticators authenticators;
  private DemoServices demo;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private MultiThreadIoEventLoopGroup group;
  private Listeners listeners;
  private ClientNameResolvers resolvers;

  /** A mailgate for {@code config}; {@code notices} are the loader's skipped-directive notices, logged at start. */
  public Mailgate(MailgateConfig config, List<String> notices) {
    this.config = config;
    this.notices = List.copyOf(notices);
  }

  /** Starts, then blocks the calling (main) thread until a TERM/INT stop has finished. */
  int runUntilStopped(PrintStream err) {
    List<ErrorLogConfig> perServer = new ArrayList<>();
    for (ServerConfig server : config.servers()) {
      perServer.add(server.errorLog().orElse(null));
    }
    ErrorLogs.configure(config.errorLog(), perServer);
    Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "mailgate-stop"));
    try {
      start();
    } catch (StartupException e) {
      LOG.error(NginxLevels.EMERG, e.getMessage());
      err.println("mailgate: [emerg] " + e.getMessage());
      stop();
      return 1;
    }
    awaitStop();
    return 0;
  }

  /**
   * Binds every listener and writes the pid file. Logging must already be configured.
   *
   * @throws StartupException when a listener cannot be bound or the pid file cannot be written
   */
  public void start() throws StartupException {
    notices.forEach(n -> LOG.info(NginxLevels.NOTICE, n));
    // Registered before binding: an early HUP must not kill the process (reload arrives in a later issue).
    Signals.handle("HUP", this::reload);
    Signals.handle("USR1", () -> LOG.info(NginxLevels.NOTICE, "reopening logs is not needed, logs are reopened"));

    Transport transport = Transport.detect();
    transport.unavailabilityCause().ifPresent(why ->
        LOG.info(NginxLevels.NOTICE, "native epoll unavailable ({}), using NIO", why.toString()));
    String tlsProvider = TlsProviders.describe();
    group = transport.newGroup(config.workerProcesses(), "mailgate");
    ConnectionGate gate = new PerLoopConnectionGate(group, config.workerConnections());
    listeners = new Listeners(group);
    demo = new DemoServices(transport);
    authenticators = new Authenticators(transport, gate, demo);
    resolvers = new ClientNameResolvers(group, transport);
    BackendConnector backends = new BackendConnector(transport, gate);
    Map<BackendTlsConfig, BackendTls> backendContexts = new HashMap<>();
    try {
      demo.start(config);
      for (int i = 0; i < config.servers().size(); i++) {
        ServerConfig server = config.servers().get(i);
        Supplier<MailProtocol> protocol = PROTOCOLS.get(server.protocol());
        if (protocol == null) {
          LOG.warn("{} servers are not supported yet, server in {}:{} is not started",
              server.protocol(), server.file(), server.line());
          continue;
        }
        String loggerName = server.errorLog().isPresent() ? ErrorLogs.serverLoggerName(i) : "io.mailgate.session";
        MailProtocol mailProtocol = protocol.get();
        Optional<ServerTls> tls = clientTls(server, mailProtocol.name());
        BackendTls backendTls = backendTls(server, backendContexts);
        AuthClient authClient = authenticators.forServer(server);
        listeners.bind(new ServerRuntime(server, mailProtocol, authClient, transport, gate, backends, tls, backendTls,
            loggerName, resolvers.forServer(server)));
      }
      if (config.pidFile().isPresent()) {
        Main.writePidFile(config.pidFile().get());
      }
    } catch (StartupException e) {
      stop();
      throw e;
    } catch (Listeners.BindException e) {
      stop();
      throw new StartupException(e.getMessage());
    } catch (IOException e) {
      stop();
      throw new StartupException("open() \"" + config.pidFile().orElseThrow() + "\" failed (" + e + ")");
    }
    LOG.info(NginxLevels.NOTICE, "mailgate/{} started: {} event loops, {} transport, TLS provider {}",
        Version.number(), config.workerProcesses(), transport.name(), tlsProvider);
  }

  /** The server's TLS, loaded now (never per connection), when it has certificates. */
  private static Optional<ServerTls> clientTls(ServerConfig server, String protocol) throws StartupException {
    if (!server.tls().hasCertificates()) {
      return Optional.empty();
    }
    try {
      ServerTls tls = ServerTls.create(server.tls(), protocol);
      tls.warnings().forEach(w -> LOG.warn("{} in {}:{}", w, server.file(), server.line()));
      return Optional.of(tls);
    } catch (TlsSetupException e) {
      throw new StartupException(e.getMessage() + " in " + server.file() + ":" + server.line());
    }
  }

  /**
   * The server's TLS towards its backends, loaded now. Every server has one, even with {@code proxy_ssl off}, since
   * the auth service's {@code Auth-Proxy-SSL} can demand TLS for a login; servers with the same settings (usually all
   * of them) share one context and so one trust store load and one session cache.
   */
  private static BackendTls backendTls(ServerConfig server, Map<BackendTlsConfig, BackendTls> built)
      throws StartupException {
    BackendTls existing = built.get(server.backendTls());
    if (existing != null) {
      return existing;
    }
    try {
      BackendTls tls = BackendTls.create(server.backendTls());
      tls.warnings().forEach(w -> LOG.warn("{} in {}:{}", w, server.file(), server.line()));
      built.put(server.backendTls(), tls);
      return tls;
    } catch (TlsSetupException e) {
      throw new StartupException(e.getMessage() + " in " + server.file() + ":" + server.line());
    }
  }

  /**
   * HUP: users files and backend maps are re-read now. Reloading the configuration itself (new listeners, TLS
   * certificates) without dropping sessions arrives in a later change; until then it is unchanged.
   */
  private void reload() {
    LOG.info(NginxLevels.NOTICE, "reloading users files and backend maps; configuration unchanged");
    if (authenticators != null) {
      authenticators.reloadFiles();
    }
  }

  private void awaitStop() {
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Graceful stop: no new connections, event loops finish, pid file removed. Runs at most once. */
  public synchronized void stop() {
    if (stopped.getCount() == 0) {
      return;
    }
    LOG.info(NginxLevels.NOTICE, "exiting");
    if (listeners != null) {
      listeners.close();
    }
    if (authenticators != null) {
      authenticators.close();
    }
    if (resolvers != null) {
      resolvers.close();
    }
    if (demo != null) {
      demo.close();
    }
    if (group != null) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
    Optional<java.nio.file.Path> pid = config.pidFile();
    if (pid.isPresent()) {
      try {
        Files.deleteIfExists(pid.get());
      } catch (IOException e) {
        LOG.warn("cannot remove pid file {}: {}", pid.get(), e.getMessage());
      }
    }
    stopped.countDown();
  }

  /** mailgate could not start; the message reads as nginx's {@code [emerg]} text. */
  public static final class StartupException extends Exception {
    StartupException(String message) {
      super(message);
    }
  }
}
