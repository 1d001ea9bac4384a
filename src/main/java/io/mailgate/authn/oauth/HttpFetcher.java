package io.mailgate.authn.oauth;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Fetches key sets, discovery documents and introspection answers over HTTP(S). Implementations never block the
 * caller; the futures complete on the fetcher's own threads, exceptionally on network errors and timeouts.
 */
public interface HttpFetcher {

  /** GETs {@code uri}. */
  CompletableFuture<HttpResponse> get(URI uri, Duration timeout);

  /** POSTs {@code form} as {@code application/x-www-form-urlencoded}, with HTTP Basic credentials (RFC 7617). */
  CompletableFuture<HttpResponse> postForm(URI uri, Map<String, String> form, String basicUser, String basicSecret,
      Duration timeout);

  /** The JDK's {@link java.net.http.HttpClient} on two daemon threads of its own; redirects are not followed. */
  static HttpFetcher jdk() {
    return new JdkHttpFetcher();
  }

  /**
   * A response: status code and body.
   *
   * @param status the HTTP status code
   * @param body the body (bounded by the fetcher)
   */
  record HttpResponse(int status, byte[] body) {

    /** Copies the body. */
    public HttpResponse {
      body = body.clone();
    }

    @Override
    public byte[] body() {
      return body.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof HttpResponse r && r.status == status && java.util.Arrays.equals(r.body, body);
    }

    @Override
    public int hashCode() {
      return status * 31 + java.util.Arrays.hashCode(body);
    }

    /** Never prints the body (an introspection answer may carry personal data). */
    @Override
    public String toString() {
      return "HttpResponse[status=" + status + ", " + body.length + " bytes]";
    }
  }
}
