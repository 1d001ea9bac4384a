package io.mailgate.backend;

import io.mailgate.config.ResolverConfig;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Resolves a backend host name ({@code Auth-Server: imap.internal}) to all its A and AAAA addresses, without blocking:
 * Netty's DnsNameResolver on the session's own event loop (one per loop, made on first use, with Netty's TTL-bound
 * cache). The server's {@code resolver} name servers are asked when it has them, in turn, without search domains (as
 * nginx's resolver); otherwise the system's ({@code /etc/resolv.conf}, search domains included). {@code /etc/hosts}
 * answers first either way. IPv4 addresses come before IPv6 ones; {@code ipv4=off}/{@code ipv6=off} drop a family.
 */
public final class BackendNameResolver implements AutoCloseable {

  private final Optional<ResolverConfig.NameServers> nameServers;
  private final Class<? extends DatagramChannel> channelType;
  private final Duration timeout;
  private final Map<EventLoop, DnsNameResolver> perLoop = new ConcurrentHashMap<>();

  /**
   * @param nameServers the server's {@code resolver} line; empty for the system's name servers
   * @param channelType the UDP channel class of the loops' transport
   * @param timeout bounds one resolution ({@code resolver_timeout}, or the auth timeout without {@code resolver})
   */
  public BackendNameResolver(Optional<ResolverConfig.NameServers> nameServers,
      Class<? extends DatagramChannel> channelType, Duration timeout) {
    this.nameServers = nameServers;
    this.channelType = channelType;
    this.timeout = timeout;
  }

  /**
   * The addresses of {@code host}, each with {@code port}, in the resolver's order; call on {@code loop}. The future
   * completes on {@code loop}, failing when the name does not resolve or the lookup outlasts the timeout.
   */
  public Future<BackendTarget> resolve(EventLoop loop, String host, int port) {
    Promise<BackendTarget> result = loop.newPromise();
    DnsNameResolver dns = perLoop.computeIfAbsent(loop, this::newResolver);
    ScheduledFuture<?> deadline = loop.schedule(
        () -> result.tryFailure(new java.util.concurrent.TimeoutException("timed out")),
        timeout.toNanos(), TimeUnit.NANOSECONDS);
    dns.resolveAll(host).addListener((Future<List<InetAddress>> f) -> {
      deadline.cancel(false);
      if (!f.isSuccess()) {
        result.tryFailure(f.cause());
        return;
      }
      List<InetSocketAddress> addresses = f.getNow().stream().map(a -> new InetSocketAddress(a, port)).toList();
      if (addresses.isEmpty()) {
        result.tryFailure(new java.net.UnknownHostException(host));
      } else {
        result.trySuccess(new BackendTarget(addresses, Optional.of(host)));
      }
    });
    return result;
  }

  private DnsNameResolver newResolver(EventLoop loop) {
    DnsNameResolverBuilder builder = new DnsNameResolverBuilder(loop)
        .datagramChannelType(channelType)
        .queryTimeoutMillis(timeout.toMillis())
        .recursionDesired(true);
    if (nameServers.isPresent()) {
      ResolverConfig.NameServers servers = nameServers.get();
      builder.nameServerProvider(new SequentialDnsServerAddressStreamProvider(servers.addresses()))
          .searchDomains(List.of())
          .resolvedAddressTypes(types(servers.ipv4(), servers.ipv6()));
      servers.valid().ifPresent(valid -> builder.ttl((int) valid.toSeconds(), (int) valid.toSeconds()));
    } else {
      builder.nameServerProvider(DnsServerAddressStreamProviders.platformDefault())
          .resolvedAddressTypes(ResolvedAddressTypes.IPV4_PREFERRED);
    }
    return builder.build();
  }

  private static ResolvedAddressTypes types(boolean ipv4, boolean ipv6) {
    if (ipv4 && !ipv6) {
      return ResolvedAddressTypes.IPV4_ONLY;
    }
    return ipv6 && !ipv4 ? ResolvedAddressTypes.IPV6_ONLY : ResolvedAddressTypes.IPV4_PREFERRED;
  }

  /** Closes the resolvers' UDP sockets. */
  @Override
  public void close() {
    perLoop.values().forEach(DnsNameResolver::close);
    perLoop.clear();
  }
}
