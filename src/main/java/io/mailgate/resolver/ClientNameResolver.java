package io.mailgate.resolver;

import io.mailgate.config.ResolverConfig;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsNameResolverTimeoutException;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The client's host name the way nginx's SMTP module finds it: the PTR record of the client's address (RFC 1035
 * §3.5), then that name's A or AAAA records, and the name only if one of them is the client's address again
 * (forward-confirmed reverse DNS: a PTR record alone is whatever the address's owner wrote there).
 *
 * <p>One per distinct {@code resolver} line, shared by the sessions of every server using it. It lives on one event
 * loop: the UDP socket, the cache and the questions in flight are touched only there, and a session asking from
 * another loop gets its answer on its own. Like nginx it asks the servers in turn, sends a question again to the next
 * server after {@value #RESEND_MILLIS} ms of silence, shares a question in flight between sessions, and caches answers
 * for their TTL ({@code valid=} overrides it) and error answers for 10 seconds.
 */
public final class ClientNameResolver implements AutoCloseable {

  /** nginx's resend_timeout: a server silent this long is asked again, the next one in turn. */
  static final long RESEND_MILLIS = 5000;
  /** nginx keeps error answers (SERVFAIL, NXDOMAIN...) this long unless {@code valid=} is set. */
  private static final long ERROR_TTL_SECONDS = 10;
  /** CNAMEs followed for one question, beyond those inside one answer. */
  private static final int MAX_ALIASES = 8;
  private static final int CACHE_CAPACITY = 10_000;

  private final ResolverConfig.NameServers config;
  private final EventLoop loop;
  private final DnsNameResolver dns;
  private final ReplyCache cache = new ReplyCache(CACHE_CAPACITY);
  private final Map<String, Flight> flights = new HashMap<>();
  private int nextServer;

  /**
   * A resolver on {@code loop}, its UDP socket of {@code channelType} (it must match the loop's transport). Call at
   * start-up.
   */
  public ClientNameResolver(ResolverConfig.NameServers config, EventLoop loop,
      Class<? extends DatagramChannel> channelType) {
    this(config, loop, channelType, RESEND_MILLIS);
  }

  ClientNameResolver(ResolverConfig.NameServers config, EventLoop loop, Class<? extends DatagramChannel> channelType,
      long resendMillis) {
    this.config = config;
    this.loop = loop;
    this.dns = new DnsNameResolverBuilder(loop)
        .datagramChannelType(channelType)
        .nameServerProvider(new SequentialDnsServerAddressStreamProvider(config.addresses()))
        .queryTimeoutMillis(resendMillis)
        .recursionDesired(true)
        // nginx sends plain RFC 1035 queries, without an EDNS OPT record.
        .optResourceEnabled(false)
        .searchDomains(List.of())
        .build();
  }

  /**
   * Looks up the host name of {@code client}; each of the two lookups may take up to {@code timeout}
   * ({@code resolver_timeout}). Never fails: a failed lookup gives a placeholder name. Listeners of the returned future
   * run on {@code executor}.
   */
  public Future<ClientHost> lookup(InetAddress client, Duration timeout, EventExecutor executor) {
    Promise<ClientHost> result = executor.newPromise();
    long timeoutNanos = timeout.toNanos();
    if (loop.inEventLoop()) {
      start(client, timeoutNanos, result);
    } else {
      try {
        loop.execute(() -> start(client, timeoutNanos, result));
      } catch (RejectedExecutionException e) {
        // Shutting down.
        result.trySuccess(new ClientHost(ClientHost.TEMPUNAVAIL, Optional.empty()));
      }
    }
    return result;
  }

  /** Closes the UDP socket; lookups still in flight end as temporary failures. */
  @Override
  public void close() {
    dns.close();
  }

  /** How many answers are cached (for tests). */
  int cachedReplies() {
    return cache.size();
  }

  private void start(InetAddress client, long timeoutNanos, Promise<ClientHost> result) {
    String address = NetUtil.toAddressString(client);
    ask(ReverseNames.ptrName(client), DnsRecordType.PTR, timeoutNanos).addListener((Future<Reply> f) -> {
      Reply reply = f.getNow();
      if (reply instanceof Reply.Failure failure) {
        result.trySuccess(failed(failure, "in resolving client address",
            address + " could not be resolved " + failure.describe()));
        return;
      }
      confirm(client, address, ((Reply.Records) reply).values().get(0), timeoutNanos, result);
    });
  }

  /** The name counts only if it leads back to the client's address. */
  private void confirm(InetAddress client, String address, String name, long timeoutNanos,
      Promise<ClientHost> result) {
    boolean v6 = client instanceof Inet6Address;
    if (v6 ? !config.ipv6() : !config.ipv4()) {
      // nginx looks up only the enabled families; the client's address cannot be among them.
      result.trySuccess(ClientHost.unavailable());
      return;
    }
    ask(name + ".", v6 ? DnsRecordType.AAAA : DnsRecordType.A, timeoutNanos).addListener((Future<Reply> f) -> {
      Reply reply = f.getNow();
      if (reply instanceof Reply.Failure failure) {
        result.trySuccess(failed(failure, "in resolving client hostname",
            "\"" + name + "\" could not be resolved " + failure.describe()));
      } else if (((Reply.Records) reply).values().contains(address)) {
        result.trySuccess(ClientHost.confirmed(name));
      } else {
        result.trySuccess(ClientHost.unavailable());
      }
    });
  }

  private static ClientHost failed(Reply.Failure failure, String action, String message) {
    String name = failure.permanent() ? ClientHost.UNAVAILABLE : ClientHost.TEMPUNAVAIL;
    return new ClientHost(name, Optional.of(new ClientHost.Failure(action, message)));
  }

  /** The reply to a question: cached, shared with a session already asking, or asked now. Never fails. */
  private Future<Reply> ask(String name, DnsRecordType type, long timeoutNanos) {
    String key = type.name() + ' ' + ReverseNames.key(name);
    long now = System.nanoTime();
    Optional<Reply> cached = cache.get(key, now);
    if (cached.isPresent()) {
      return loop.newSucceededFuture(cached.get());
    }
    Flight flight = flights.get(key);
    if (flight == null) {
      flight = new Flight(key, name, type, now + timeoutNanos);
      flights.put(key, flight);
      flight.start(timeoutNanos);
    }
    return flight.promise;
  }

  private InetSocketAddress nextServer() {
    List<InetSocketAddress> servers = config.addresses();
    return servers.get(Math.floorMod(nextServer++, servers.size()));
  }

  /** One question being asked: resent on silence until its deadline, CNAMEs outside the answer followed. */
  private final class Flight {
    private final String key;
    private final DnsRecordType type;
    private final long deadlineNanos;
    private final Promise<Reply> promise = loop.newPromise();
    private String name;
    private int attempts;
    private int aliases;
    private ScheduledFuture<?> timer;

    Flight(String key, String name, DnsRecordType type, long deadlineNanos) {
      this.key = key;
      this.name = name;
      this.type = type;
      this.deadlineNanos = deadlineNanos;
    }

    void start(long timeoutNanos) {
      timer = loop.schedule(
          () -> finish(new Reply.Failure(Reply.TIMEDOUT, AnswerReader.errorText(Reply.TIMEDOUT))),
          timeoutNanos, TimeUnit.NANOSECONDS);
      send();
    }

    private void send() {
      attempts++;
      Future<AddressedEnvelope<DnsResponse, InetSocketAddress>> query =
          dns.query(nextServer(), new DefaultDnsQuestion(name, type));
      query.addListener(f -> onQueryDone(query));
    }

    private void onQueryDone(Future<AddressedEnvelope<DnsResponse, InetSocketAddress>> f) {
      if (f.isSuccess()) {
        AddressedEnvelope<DnsResponse, InetSocketAddress> envelope = f.getNow();
        Reply reply;
        try {
          reply = AnswerReader.read(envelope.content(), name, type);
        } finally {
          envelope.release();
        }
        onReply(reply);
        return;
      }
      if (promise.isDone()) {
        return;
      }
      boolean silent = f.cause() instanceof DnsNameResolverTimeoutException;
      boolean timeLeft = System.nanoTime() - deadlineNanos < 0;
      if (timeLeft && (silent || attempts < config.addresses().size())) {
        send();
      } else if (silent) {
        finish(new Reply.Failure(Reply.TIMEDOUT, AnswerReader.errorText(Reply.TIMEDOUT)));
      } else {
        Throwable cause = f.cause();
        finish(new Reply.Failure(Reply.INVALID, "DNS query failed: "
            + (cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName())));
      }
    }

    private void onReply(Reply reply) {
      if (promise.isDone()) {
        return;
      }
      if (reply instanceof Reply.Alias alias) {
        if (++aliases > MAX_ALIASES) {
          finish(new Reply.Failure(Reply.INVALID, "too many CNAMEs in DNS responses"));
        } else {
          name = alias.target();
          send();
        }
        return;
      }
      finish(reply);
    }

    private void finish(Reply reply) {
      if (promise.isDone()) {
        return;
      }
      timer.cancel(false);
      flights.remove(key, this);
      long now = System.nanoTime();
      Optional<Long> valid = config.valid().map(Duration::getSeconds);
      if (reply instanceof Reply.Records records) {
        cache.put(key, records, valid.orElse(records.ttlSeconds()), now);
      } else if (reply instanceof Reply.Failure failure && failure.cacheable()) {
        cache.put(key, failure, valid.orElse(ERROR_TTL_SECONDS), now);
      }
      promise.trySuccess(reply);
    }
  }
}
