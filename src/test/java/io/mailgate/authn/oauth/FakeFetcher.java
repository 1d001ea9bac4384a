package io.mailgate.authn.oauth;

import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** An {@link HttpFetcher} answering from a table, counting requests and recording introspection posts. */
final class FakeFetcher implements HttpFetcher {

  /** One recorded POST. */
  record Post(URI uri, Map<String, String> form, String user, String secret) {}

  private final Map<URI, Supplier<CompletableFuture<HttpResponse>>> routes = new ConcurrentHashMap<>();
  private final Map<URI, AtomicInteger> calls = new ConcurrentHashMap<>();
  final List<Post> posts = new CopyOnWriteArrayList<>();

  FakeFetcher json(URI uri, String body) {
    routes.put(uri, () -> CompletableFuture.completedFuture(
        new HttpResponse(200, body.getBytes(StandardCharsets.UTF_8))));
    return this;
  }

  FakeFetcher status(URI uri, int status) {
    routes.put(uri, () -> CompletableFuture.completedFuture(new HttpResponse(status, new byte[0])));
    return this;
  }

  FakeFetcher down(URI uri) {
    routes.put(uri, () -> CompletableFuture.failedFuture(new ConnectException("connection refused")));
    return this;
  }

  /** Answers {@code uri} with {@code pending}, which the test completes later. */
  FakeFetcher pending(URI uri, CompletableFuture<HttpResponse> pending) {
    routes.put(uri, () -> pending);
    return this;
  }

  int calls(URI uri) {
    AtomicInteger n = calls.get(uri);
    return n == null ? 0 : n.get();
  }

  @Override
  public CompletableFuture<HttpResponse> get(URI uri, Duration timeout) {
    return answer(uri);
  }

  @Override
  public CompletableFuture<HttpResponse> postForm(URI uri, Map<String, String> form, String basicUser,
      String basicSecret, Duration timeout) {
    posts.add(new Post(uri, Map.copyOf(form), basicUser, basicSecret));
    return answer(uri);
  }

  private CompletableFuture<HttpResponse> answer(URI uri) {
    calls.computeIfAbsent(uri, u -> new AtomicInteger()).incrementAndGet();
    Supplier<CompletableFuture<HttpResponse>> route = routes.get(uri);
    return route == null
        ? CompletableFuture.completedFuture(new HttpResponse(404, new byte[0]))
        : route.get();
  }
}
