package io.mailgate.authn.oauth;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** {@link HttpFetcher} on the JDK's asynchronous HTTP client, with a thread pool of its own (never an event loop). */
final class JdkHttpFetcher implements HttpFetcher {

  /** Key sets, discovery documents and introspection answers are small; a larger body is an error, not a read. */
  static final int MAX_BODY_BYTES = 1 << 20;

  private final HttpClient client;

  JdkHttpFetcher() {
    AtomicInteger count = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "mailgate-oauth-http-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    // No redirects: an introspection POST must not carry the client credentials elsewhere.
    client = HttpClient.newBuilder()
        .executor(pool)
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  @Override
  public CompletableFuture<HttpResponse> get(URI uri, Duration timeout) {
    HttpRequest request = HttpRequest.newBuilder(uri)
        .timeout(timeout)
        .header("Accept", "application/json")
        .GET()
        .build();
    return send(request, timeout);
  }

  @Override
  public CompletableFuture<HttpResponse> postForm(URI uri, Map<String, String> form, String basicUser,
      String basicSecret, Duration timeout) {
    StringJoiner body = new StringJoiner("&");
    form.forEach((k, v) -> body.add(formEncode(k) + "=" + formEncode(v)));
    // RFC 6749 section 2.3.1: client id and secret are form-encoded before they go into HTTP Basic.
    String userPass = formEncode(basicUser) + ":" + formEncode(basicSecret);
    HttpRequest request = HttpRequest.newBuilder(uri)
        .timeout(timeout)
        .header("Accept", "application/json")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Authorization",
            "Basic " + Base64.getEncoder().encodeToString(userPass.getBytes(StandardCharsets.UTF_8)))
        .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
        .build();
    return send(request, timeout);
  }

  private CompletableFuture<HttpResponse> send(HttpRequest request, Duration timeout) {
    BodyHandler<byte[]> bounded = info -> new BoundedBodySubscriber(MAX_BODY_BYTES);
    // The request timeout stops at the response headers; this one also bounds a body that trickles in.
    return client.sendAsync(request, bounded)
        .thenApply(r -> new HttpResponse(r.statusCode(), r.body()))
        .orTimeout(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
  }

  private static String formEncode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
