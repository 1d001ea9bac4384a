package io.mailgate.app;

import io.mailgate.authn.users.UsersFile;
import io.mailgate.config.MailgateConfig;
import io.mailgate.config.ServerConfig;
import io.mailgate.demo.DemoMailStore;
import io.mailgate.demo.DemoMessages;
import io.mailgate.demo.DemoTokenIssuer;
import io.mailgate.transport.Transport;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo configuration's helpers, started only when a server names them ({@code demo_mail_store},
 * {@code demo_token_issuer}): the embedded mail store, on its own event-loop thread so that nothing it does can slow
 * the proxy, and the demo token issuer's key pair. The store trusts only mailgate: the proxy logs in to it with a
 * random secret made at start, after mailgate has checked the client's own credentials.
 */
final class DemoServices implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DemoServices.class);

  private final Transport transport;
  private final Map<InetSocketAddress, DemoMailStore> stores = new HashMap<>();
  private final Map<Path, DemoTokenIssuer> issuers = new HashMap<>();
  private final byte[] storeSecret;
  private MultiThreadIoEventLoopGroup storeGroup;

  DemoServices(Transport transport) {
    this.transport = transport;
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    this.storeSecret = java.util.HexFormat.of().formatHex(random).getBytes(StandardCharsets.US_ASCII);
  }

  /** Starts a demo mail store for every {@code demo_mail_store} address, serving the users of the server's users file. */
  void start(MailgateConfig config) throws Mailgate.StartupException {
    for (ServerConfig server : config.servers()) {
      Optional<InetSocketAddress> address = server.builtinAuth().demoMailStore();
      if (address.isEmpty() || stores.containsKey(address.get())) {
        continue;
      }
      Map<String, String> users = new LinkedHashMap<>();
      try {
        if (server.builtinAuth().usersFile().isPresent()) {
          String secret = new String(storeSecret, StandardCharsets.US_ASCII);
          UsersFile.load(server.builtinAuth().usersFile().get()).userNames().forEach(u -> users.put(u, secret));
        }
        if (storeGroup == null) {
          storeGroup = transport.newGroup(1, "mailgate-demo");
        }
        stores.put(address.get(), DemoMailStore.start(storeGroup, transport.serverSocketChannel(), address.get(),
            users, List.of(DemoMessages.welcome())));
      } catch (IOException e) {
        throw new Mailgate.StartupException("demo mail store on " + address.get() + ": " + e.getMessage()
            + " in " + server.file() + ":" + server.line());
      }
      LOG.warn("the demo mail store runs on {}:{}: for trying mailgate only, never in production",
          address.get().getAddress().getHostAddress(), address.get().getPort());
    }
  }

  /** The demo store a server routes to when it has one. */
  Optional<InetSocketAddress> storeFor(ServerConfig server) {
    return server.builtinAuth().demoMailStore();
  }

  /** The secret mailgate logs in to the demo store with, for servers routed there. */
  Optional<byte[]> secretFor(ServerConfig server) {
    return server.builtinAuth().demoMailStore().isPresent() && server.builtinAuth().backend().isEmpty()
        && server.builtinAuth().backendMap().isEmpty() ? Optional.of(storeSecret.clone()) : Optional.empty();
  }

  /** The demo token issuer keeping its keys in {@code dir} (made on first use). */
  DemoTokenIssuer issuer(Path dir) throws IOException {
    DemoTokenIssuer issuer = issuers.get(dir);
    if (issuer == null) {
      issuer = DemoTokenIssuer.loadOrCreate(dir);
      issuers.put(dir, issuer);
    }
    return issuer;
  }

  @Override
  public void close() {
    stores.values().forEach(DemoMailStore::close);
    stores.clear();
    if (storeGroup != null) {
      storeGroup.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }
  }
}
