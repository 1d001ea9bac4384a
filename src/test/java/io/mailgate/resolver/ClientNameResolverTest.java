package io.mailgate.resolver;

import static io.mailgate.resolver.FakeDnsServer.address;
import static io.mailgate.resolver.FakeDnsServer.cname;
import static io.mailgate.resolver.FakeDnsServer.emptyPtr;
import static io.mailgate.resolver.FakeDnsServer.ptr;
import static io.mailgate.resolver.FakeDnsServer.raw;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.config.ResolverConfig;
import io.mailgate.resolver.FakeDnsServer.Answer;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ClientNameResolverTest {

  private static final String LOCAL_PTR = "1.0.0.127.in-addr.arpa";
  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  /** The resolver's loop and the sessions' loop differ, as they usually do in mailgate. */
  private final EventLoop resolverLoop = group.next();
  private final EventLoop sessionLoop = group.next();
  private final List<FakeDnsServer> servers = new ArrayList<>();
  private final List<ClientNameResolver> resolvers = new ArrayList<>();

  @BeforeEach
  void loopsDiffer() {
    assertThat(resolverLoop).isNotSameAs(sessionLoop);
  }

  @AfterEach
  void tearDown() {
    resolvers.forEach(ClientNameResolver::close);
    servers.forEach(FakeDnsServer::close);
    group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  /** nginx-tests' good server: 127.0.0.1 is a.example.net and back. */
  private static Answer goodZone(String name, DnsRecordType type) {
    if (name.equals(LOCAL_PTR) && type.equals(DnsRecordType.PTR)) {
      return Answer.records(() -> List.of(ptr(LOCAL_PTR + ".", "a.example.net.", 3600)));
    }
    if (name.equals("a.example.net") && type.equals(DnsRecordType.A)) {
      return Answer.records(() -> List.of(address("a.example.net.", "127.0.0.1", 3600)));
    }
    if (name.equals("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa")) {
      return Answer.records(() -> List.of(ptr(name + ".", "six.example.net.", 3600)));
    }
    if (name.equals("six.example.net") && type.equals(DnsRecordType.AAAA)) {
      return Answer.records(() -> List.of(address("six.example.net.", "::1", 3600)));
    }
    return Answer.code(DnsResponseCode.NXDOMAIN);
  }

  private FakeDnsServer server(BiFunction<String, DnsRecordType, Answer> responder) throws InterruptedException {
    FakeDnsServer server = new FakeDnsServer(responder);
    servers.add(server);
    return server;
  }

  private ClientNameResolver resolver(Optional<Duration> valid, long resendMillis, FakeDnsServer... on) {
    List<InetSocketAddress> addresses = new ArrayList<>();
    for (FakeDnsServer s : on) {
      addresses.add(s.address());
    }
    ClientNameResolver r = new ClientNameResolver(new ResolverConfig.NameServers(addresses, valid, true, true),
        resolverLoop, NioDatagramChannel.class, resendMillis);
    resolvers.add(r);
    return r;
  }

  private ClientNameResolver resolver(FakeDnsServer... on) {
    return resolver(Optional.empty(), ClientNameResolver.RESEND_MILLIS, on);
  }

  private ClientHost lookup(ClientNameResolver r, String client) throws Exception {
    return lookup(r, client, TIMEOUT);
  }

  private ClientHost lookup(ClientNameResolver r, String client, Duration timeout) throws Exception {
    return start(r, client, timeout).get(10, TimeUnit.SECONDS);
  }

  private Future<ClientHost> start(ClientNameResolver r, String client, Duration timeout) {
    InetAddress address = NetUtil.createInetAddressFromIpAddressString(client);
    return r.lookup(address, timeout, sessionLoop);
  }

  @Test
  void aNameThatLeadsBackToTheClientIsConfirmed() throws Exception {
    FakeDnsServer dns = server(ClientNameResolverTest::goodZone);

    assertThat(lookup(resolver(dns), "127.0.0.1")).isEqualTo(new ClientHost("a.example.net", Optional.empty()));
    assertThat(dns.questions()).containsExactly("PTR " + LOCAL_PTR, "A a.example.net");
  }

  @Test
  void anIpv6ClientIsLookedUpUnderIp6ArpaAndConfirmedByAaaa() throws Exception {
    FakeDnsServer dns = server(ClientNameResolverTest::goodZone);

    assertThat(lookup(resolver(dns), "::1").name()).isEqualTo("six.example.net");
    assertThat(dns.questions()).last().isEqualTo("AAAA six.example.net");
  }

  @Test
  void theListenerRunsOnTheCallersLoop() throws Exception {
    ClientNameResolver r = resolver(server(ClientNameResolverTest::goodZone));
    Future<ClientHost> f = start(r, "127.0.0.1", TIMEOUT);
    java.util.concurrent.CompletableFuture<Boolean> onSessionLoop = new java.util.concurrent.CompletableFuture<>();
    f.addListener(done -> onSessionLoop.complete(sessionLoop.inEventLoop()));

    assertThat(onSessionLoop.get(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void ptrNxdomainGivesUnavailableAndSaysSo() throws Exception {
    FakeDnsServer dns = server((name, type) -> Answer.code(DnsResponseCode.NXDOMAIN));

    ClientHost host = lookup(resolver(dns), "127.0.0.1");

    assertThat(host.name()).isEqualTo("[UNAVAILABLE]");
    assertThat(host.failure()).contains(new ClientHost.Failure("in resolving client address",
        "127.0.0.1 could not be resolved (3: Host not found)"));
  }

  @Test
  void anAnswerWithoutRecordsCountsAsNxdomain() throws Exception {
    FakeDnsServer dns = server((name, type) -> Answer.records(List::of));

    assertThat(lookup(resolver(dns), "127.0.0.1").name()).isEqualTo("[UNAVAILABLE]");
  }

  @Test
  void ptrServfailGivesTempunavail() throws Exception {
    FakeDnsServer dns = server((name, type) -> Answer.code(DnsResponseCode.SERVFAIL));

    ClientHost host = lookup(resolver(dns), "127.0.0.1");

    assertThat(host.name()).isEqualTo("[TEMPUNAVAIL]");
    assertThat(host.failure().orElseThrow().message()).isEqualTo("127.0.0.1 could not be resolved (2: Server failure)");
  }

  @Test
  void aSilentServerGivesTempunavailAfterTheTimeout() throws Exception {
    FakeDnsServer dns = server((name, type) -> Answer.silence());
    long start = System.nanoTime();

    ClientHost host = lookup(resolver(dns), "127.0.0.1", Duration.ofMillis(300));

    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(host.name()).isEqualTo("[TEMPUNAVAIL]");
    assertThat(host.failure().orElseThrow().message()).endsWith("(110: Operation timed out)");
    assertThat(millis).isBetween(250L, 3000L);
  }

  @Test
  void aSilentServerIsFollowedByTheNextOneInTurn() throws Exception {
    FakeDnsServer silent = server((name, type) -> Answer.silence());
    FakeDnsServer good = server(ClientNameResolverTest::goodZone);

    ClientHost host = lookup(resolver(Optional.empty(), 200, silent, good), "127.0.0.1");

    assertThat(host.name()).isEqualTo("a.example.net");
    // In turn: the PTR question starts at the silent one, the A question comes back to it after the good one.
    assertThat(silent.questions()).containsExactly("PTR " + LOCAL_PTR, "A a.example.net");
    assertThat(good.questions()).containsExactly("PTR " + LOCAL_PTR, "A a.example.net");
  }

  @Test
  void aNameLeadingElsewhereGivesUnavailableWithoutAnError() throws Exception {
    FakeDnsServer dns = server((name, type) -> type.equals(DnsRecordType.A)
        ? Answer.records(() -> List.of(address("a.example.net.", "192.0.2.7", 60)))
        : goodZone(name, type));

    assertThat(lookup(resolver(dns), "127.0.0.1")).isEqualTo(new ClientHost("[UNAVAILABLE]", Optional.empty()));
  }

  @Test
  void aNameWithoutAddressesGivesUnavailableAndSaysWhichName() throws Exception {
    FakeDnsServer dns = server((name, type) -> type.equals(DnsRecordType.A)
        ? Answer.code(DnsResponseCode.NXDOMAIN)
        : goodZone(name, type));

    ClientHost host = lookup(resolver(dns), "127.0.0.1");

    assertThat(host.name()).isEqualTo("[UNAVAILABLE]");
    assertThat(host.failure()).contains(new ClientHost.Failure("in resolving client hostname",
        "\"a.example.net\" could not be resolved (3: Host not found)"));
  }

  @Test
  void aForwardServfailGivesTempunavail() throws Exception {
    FakeDnsServer dns = server((name, type) -> type.equals(DnsRecordType.A)
        ? Answer.code(DnsResponseCode.SERVFAIL)
        : goodZone(name, type));

    assertThat(lookup(resolver(dns), "127.0.0.1").name()).isEqualTo("[TEMPUNAVAIL]");
  }

  @Test
  void anEmptyPtrRecordOrAnotherTypeIsAnUnusableAnswer() throws Exception {
    FakeDnsServer dns = server((name, type) -> Answer.records(() -> List.of(emptyPtr(LOCAL_PTR + ".", 60))));
    ClientNameResolver r = resolver(dns);

    assertThat(lookup(r, "127.0.0.1").name()).isEqualTo("[TEMPUNAVAIL]");

    dns.respondWith((name, type) -> Answer.records(() -> List.of(
        raw(LOCAL_PTR + ".", DnsRecordType.valueOf(39), new byte[] {1, 'a', 0}, 60))));
    assertThat(lookup(r, "127.0.0.1").name()).isEqualTo("[TEMPUNAVAIL]");
  }

  @Test
  void aCnameInTheAnswerIsFollowedToItsPtr() throws Exception {
    FakeDnsServer dns = server((name, type) -> name.equals(LOCAL_PTR)
        ? Answer.records(() -> List.of(cname(LOCAL_PTR + ".", "1.0/8.0.0.127.in-addr.arpa.", 60),
            ptr("1.0/8.0.0.127.in-addr.arpa.", "a.example.net.", 60)))
        : goodZone(name, type));

    assertThat(lookup(resolver(dns), "127.0.0.1").name()).isEqualTo("a.example.net");
    assertThat(dns.questions()).containsExactly("PTR " + LOCAL_PTR, "A a.example.net");
  }

  @Test
  void aCnameOutsideTheAnswerIsAskedFor() throws Exception {
    FakeDnsServer dns = server((name, type) -> {
      if (name.equals(LOCAL_PTR)) {
        return Answer.records(() -> List.of(cname(LOCAL_PTR + ".", "1.1.0.0.127.in-addr.arpa.", 60)));
      }
      if (name.equals("1.1.0.0.127.in-addr.arpa")) {
        return Answer.records(() -> List.of(ptr("1.1.0.0.127.in-addr.arpa.", "a.example.net.", 60)));
      }
      return goodZone(name, type);
    });

    assertThat(lookup(resolver(dns), "127.0.0.1").name()).isEqualTo("a.example.net");
    assertThat(dns.questions()).containsExactly(
        "PTR " + LOCAL_PTR, "PTR 1.1.0.0.127.in-addr.arpa", "A a.example.net");
  }

  @Test
  void aCnameLoopEnds() throws Exception {
    FakeDnsServer dns = server((name, type) -> Answer.records(() -> List.of(
        cname(LOCAL_PTR + ".", "x.example.", 60), cname("x.example.", LOCAL_PTR + ".", 60))));

    assertThat(lookup(resolver(dns), "127.0.0.1").name()).isEqualTo("[TEMPUNAVAIL]");
  }

  @Test
  void aNameUnfitForHeadersIsRefused() throws Exception {
    FakeDnsServer dns = server((name, type) -> Answer.records(() -> List.of(
        ptr(LOCAL_PTR + ".", "evil\r\nAuth-Status: OK.example.", 60))));

    assertThat(lookup(resolver(dns), "127.0.0.1").name()).isEqualTo("[TEMPUNAVAIL]");
  }

  @Test
  void answersAreCachedForTheirTtl() throws Exception {
    FakeDnsServer dns = server(ClientNameResolverTest::goodZone);
    ClientNameResolver r = resolver(dns);

    lookup(r, "127.0.0.1");
    ClientHost second = lookup(r, "127.0.0.1");

    assertThat(second.name()).isEqualTo("a.example.net");
    assertThat(dns.questions()).hasSize(2);
  }

  @Test
  void aZeroTtlIsNotCachedUnlessValidSaysSo() throws Exception {
    BiFunction<String, DnsRecordType, Answer> zeroTtl = (name, type) -> type.equals(DnsRecordType.PTR)
        ? Answer.records(() -> List.of(ptr(LOCAL_PTR + ".", "a.example.net.", 0)))
        : Answer.records(() -> List.of(address("a.example.net.", "127.0.0.1", 0)));
    FakeDnsServer uncached = server(zeroTtl);
    ClientNameResolver plain = resolver(uncached);
    lookup(plain, "127.0.0.1");
    lookup(plain, "127.0.0.1");
    FakeDnsServer cached = server(zeroTtl);
    ClientNameResolver valid = resolver(Optional.of(Duration.ofSeconds(60)), 5000, cached);
    lookup(valid, "127.0.0.1");
    lookup(valid, "127.0.0.1");

    assertThat(uncached.questions()).hasSize(4);
    assertThat(cached.questions()).hasSize(2);
  }

  @Test
  void errorAnswersAreCachedButTimeoutsAreNot() throws Exception {
    FakeDnsServer failing = server((name, type) -> Answer.code(DnsResponseCode.SERVFAIL));
    ClientNameResolver r = resolver(failing);
    lookup(r, "127.0.0.1");
    lookup(r, "127.0.0.1");
    FakeDnsServer silent = server((name, type) -> Answer.silence());
    ClientNameResolver s = resolver(silent);
    lookup(s, "127.0.0.1", Duration.ofMillis(100));
    lookup(s, "127.0.0.1", Duration.ofMillis(100));

    assertThat(failing.questions()).hasSize(1);
    assertThat(silent.questions()).hasSize(2);
  }

  @Test
  void sessionsAskingAtOnceShareOneQuestion() throws Exception {
    FakeDnsServer dns = server(ClientNameResolverTest::goodZone);
    ClientNameResolver r = resolver(dns);

    Future<ClientHost> first = start(r, "127.0.0.1", TIMEOUT);
    Future<ClientHost> second = start(r, "127.0.0.1", TIMEOUT);

    assertThat(first.get(10, TimeUnit.SECONDS).name()).isEqualTo("a.example.net");
    assertThat(second.get(10, TimeUnit.SECONDS).name()).isEqualTo("a.example.net");
    assertThat(dns.questions()).containsExactly("PTR " + LOCAL_PTR, "A a.example.net");
  }

  @Test
  void serversAreAskedInTurn() throws Exception {
    FakeDnsServer one = server(ClientNameResolverTest::goodZone);
    FakeDnsServer two = server(ClientNameResolverTest::goodZone);

    lookup(resolver(one, two), "127.0.0.1");

    assertThat(one.questions()).containsExactly("PTR " + LOCAL_PTR);
    assertThat(two.questions()).containsExactly("A a.example.net");
  }

  @Test
  void aClosedResolverAnswersTempunavail() throws Exception {
    ClientNameResolver r = resolver(server(ClientNameResolverTest::goodZone));
    r.close();

    assertThat(lookup(r, "127.0.0.1").name()).isEqualTo("[TEMPUNAVAIL]");
  }
}
