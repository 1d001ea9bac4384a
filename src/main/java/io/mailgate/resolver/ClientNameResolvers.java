package io.mailgate.resolver;

import io.mailgate.config.ResolverConfig;
import io.mailgate.config.ServerConfig;
import io.mailgate.transport.Transport;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The client-name resolvers of a running mailgate, made at start-up: one per distinct {@code resolver} line, each on
 * one loop of the group, shared by every SMTP server that uses it. Not thread-safe: used by the start-up thread.
 */
public final class ClientNameResolvers implements AutoCloseable {

  private final EventLoopGroup group;
  private final Class<? extends DatagramChannel> channelType;
  private final Map<ResolverConfig.NameServers, ClientNameResolver> resolvers = new HashMap<>();

  /** Resolvers on the loops of {@code group}, with UDP sockets of {@code transport}'s kind. */
  public ClientNameResolvers(EventLoopGroup group, Transport transport) {
    this.group = group;
    this.channelType = transport.datagramChannel();
  }

  /** The resolver an SMTP server with a {@code resolver} uses; empty for other servers. */
  public Optional<ClientNameResolver> forServer(ServerConfig server) {
    if (!"smtp".equals(server.protocol()) || server.resolver().isEmpty()) {
      return Optional.empty();
    }
    ResolverConfig.NameServers servers = server.resolver().get().nameServers();
    return Optional.of(resolvers.computeIfAbsent(servers,
        s -> new ClientNameResolver(s, group.next(), channelType)));
  }

  /** Closes every resolver's socket. */
  @Override
  public void close() {
    resolvers.values().forEach(ClientNameResolver::close);
    resolvers.clear();
  }
}
