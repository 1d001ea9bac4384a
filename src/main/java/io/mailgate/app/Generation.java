package io.mailgate.app;

import io.mailgate.accesslog.AccessLog;
import io.mailgate.auth.AuthClient;
import io.mailgate.config.BackendTlsConfig;
import io.mailgate.config.ListenConfig;
import io.mailgate.config.MailgateConfig;
import io.mailgate.config.ServerConfig;
import io.mailgate.imap.ImapProtocol;
import io.mailgate.log.ErrorLogs;
import io.mailgate.pop3.Pop3Protocol;
import io.mailgate.resolver.ClientNameResolvers;
import io.mailgate.session.LoginResources;
import io.mailgate.session.MailProtocol;
import io.mailgate.session.ServerRuntime;
import io.mailgate.session.SessionEvents;
import io.mailgate.smtp.SmtpProtocol;
import io.mailgate.throttle.ThrottleServices;
import io.mailgate.tls.BackendTls;
import io.mailgate.tls.ServerTls;
import io.mailgate.tls.TlsSetupException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One configuration made live: every server's runtime, with its authenticators, resolvers and TLS contexts, all built
 * (and so every file read and checked) before any of it serves a connection. Start-up builds the first one; each
 * reload builds the next and, once the listeners serve it, retires the previous one, which closes when its last
 * login is over ({@link LoginResources}). What outlives a reload (event loops, connection gate, backend connector,
 * hashing pool, listening sockets) is in {@link SharedServices}.
 */
final class Generation {

  private static final Logger LOG = LoggerFactory.getLogger(Generation.class);

  /** The protocols this build serves, by the name {@code protocol} gives. */
  private static final Map<String, Supplier<MailProtocol>> PROTOCOLS =
      Map.of("imap", ImapProtocol::new, "pop3", Pop3Protocol::new, "smtp", SmtpProtocol::new);

  private final int number;
  private final MailgateConfig config;
  private final List<ServerRuntime> servers;
  private final LoginResources resources;

  private Generation(int number, MailgateConfig config, List<ServerRuntime> servers, LoginResources resources) {
    this.number = number;
    this.config = config;
    this.servers = List.copyOf(servers);
    this.resources = resources;
  }

  /**
   * Builds the live form of {@code config}: reads every users file, map, key set, certificate, key and CA file.
   *
   * @param number 1 at start-up, then one more per successful reload (log lines name it)
   * @throws Mailgate.StartupException naming the file and line of the server whose settings failed; whatever was
   *     built by then is closed
   */
  static Generation build(int number, MailgateConfig config, SharedServices shared) throws Mailgate.StartupException {
    Authenticators authenticators = shared.newAuthenticators();
    ClientNameResolvers resolvers = shared.newResolvers();
    ThrottleServices.Lease throttle = shared.throttleLease();
    // Access logs are given back with the rest once the last login is over; sessions that still relay then write
    // their line all the same (a released file is opened for each such line).
    List<AccessLog> accessLogs = new ArrayList<>();
    Runnable closeAll = () -> {
      authenticators.close();
      resolvers.close();
      throttle.close();
      accessLogs.forEach(AccessLog::release);
    };
    LoginResources resources = new LoginResources(shared.closer(), closeAll);
    try {
      shared.demo().start(config);
      Map<BackendTlsConfig, BackendTls> backendContexts = new HashMap<>();
      List<ServerRuntime> servers = new ArrayList<>();
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
        List<SessionEvents> watchers = new ArrayList<>();
        watchers.add(metrics(config, server, mailProtocol, shared));
        AccessLog accessLog = accessLog(server, shared);
        if (accessLog != null) {
          accessLogs.add(accessLog);
          watchers.add(accessLog);
        }
        servers.add(new ServerRuntime(server, mailProtocol, authClient, shared.transport(), shared.gate(),
            shared.backends(), tls, backendTls, loggerName, resolvers.forServer(server), resources,
            SessionEvents.of(watchers), throttle.guards(server.throttle())));
      }
      return new Generation(number, config, servers, resources);
    } catch (Mailgate.StartupException | RuntimeException e) {
      closeAll.run();
      throw e;
    }
  }

  /**
   * The metrics' watcher of {@code server}'s sessions (its meters resolved now, once per server). Without
   * {@code metrics_listen} nobody could read the metrics, so the sessions do not feed them (nothing at all on the byte
   * path); a reload that adds it counts from then on.
   */
  private static SessionEvents metrics(MailgateConfig config, ServerConfig server, MailProtocol protocol,
      SharedServices shared) {
    List<String> listens = server.listens().stream().map(ListenConfig::text).toList();
    return config.metricsListen().isPresent()
        ? shared.metrics().forServer(protocol.name(), listens)
        : SessionEvents.NONE;
  }

  /** The server's {@code access_log}, its file opened now; null when off. */
  private static AccessLog accessLog(ServerConfig server, SharedServices shared) throws Mailgate.StartupException {
    try {
      return shared.accessLogs().open(server.accessLog());
    } catch (IOException e) {
      throw new Mailgate.StartupException(e.getMessage() + " in " + server.file() + ":" + server.line());
    }
  }

  /** The server's TLS, loaded now (never per connection), when it has certificates. */
  private static Optional<ServerTls> clientTls(ServerConfig server, String protocol) throws Mailgate.StartupException {
    if (!server.tls().hasCertificates()) {
      return Optional.empty();
    }
    try {
      ServerTls tls = ServerTls.create(server.tls(), protocol);
      tls.warnings().forEach(w -> LOG.warn("{} in {}:{}", w, server.file(), server.line()));
      return Optional.of(tls);
    } catch (TlsSetupException e) {
      throw new Mailgate.StartupException(e.getMessage() + " in " + server.file() + ":" + server.line());
    }
  }

  /**
   * The server's TLS towards its backends, loaded now. Every server has one, even with {@code proxy_ssl off}, since
   * the auth service's {@code Auth-Proxy-SSL} can demand TLS for a login; servers with the same settings (usually all
   * of them) share one context and so one trust store load and one session cache.
   */
  private static BackendTls backendTls(ServerConfig server, Map<BackendTlsConfig, BackendTls> built)
      throws Mailgate.StartupException {
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
      throw new Mailgate.StartupException(e.getMessage() + " in " + server.file() + ":" + server.line());
    }
  }

  /** 1 for the start-up configuration, then one more per reload. */
  int number() {
    return number;
  }

  MailgateConfig config() {
    return config;
  }

  /** The servers this configuration runs (those of a supported protocol). */
  List<ServerRuntime> servers() {
    return servers;
  }

  /** Replaced by a newer configuration, or mailgate stops: closes once its last login is over. */
  void retire() {
    resources.retire();
  }

  /** Whether this configuration's login resources are closed (tests watch an old one go). */
  boolean closed() {
    return resources.closed();
  }
}
