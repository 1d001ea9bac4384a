package io.mailgate.authn.oauth;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Where signing keys come from: a JWKS URL, an OpenID Connect discovery document, or a local file. */
interface KeySource {

  /** Loads the keys, off the caller's thread; fails on network errors, HTTP errors and unparsable documents. */
  CompletableFuture<KeySnapshot> load();

  /** Where from, for logs. */
  String describe();

  /** The source the settings name: the file, else the JWKS URL, else discovery. */
  static KeySource forSettings(OAuthSettings s, HttpFetcher fetcher) {
    if (s.jwksFile().isPresent()) {
      return file(s.jwksFile().get());
    }
    if (s.jwksUri().isPresent()) {
      return url(s.jwksUri().get(), fetcher, s.fetchTimeout());
    }
    return discovery(s.discoveryUri().orElseThrow(), fetcher, s.fetchTimeout());
  }

  /** A JWKS document at {@code uri}. */
  static KeySource url(URI uri, HttpFetcher fetcher, Duration timeout) {
    return new KeySource() {
      @Override
      public CompletableFuture<KeySnapshot> load() {
        return fetchJwks(uri, fetcher, timeout).thenApply(keys -> new KeySnapshot(keys, Optional.empty()));
      }

      @Override
      public String describe() {
        return uri.toString();
      }
    };
  }

  /** The {@code jwks_uri} and {@code issuer} of the OpenID Connect discovery document at {@code uri}. */
  static KeySource discovery(URI uri, HttpFetcher fetcher, Duration timeout) {
    return new KeySource() {
      @Override
      public CompletableFuture<KeySnapshot> load() {
        return fetcher.get(uri, timeout).thenCompose(response -> {
          Map<String, Object> doc = json(uri, response);
          URI jwksUri;
          String issuer;
          try {
            jwksUri = JSONObjectUtils.getURI(doc, "jwks_uri");
            issuer = JSONObjectUtils.getString(doc, "issuer");
          } catch (ParseException e) {
            throw new CompletionException(new IOException("discovery document " + uri + ": " + e.getMessage()));
          }
          if (jwksUri == null || !"https".equalsIgnoreCase(jwksUri.getScheme())
              && !"http".equalsIgnoreCase(jwksUri.getScheme())) {
            throw new CompletionException(new IOException("discovery document " + uri + " has no http(s) jwks_uri"));
          }
          return fetchJwks(jwksUri, fetcher, timeout)
              .thenApply(keys -> new KeySnapshot(keys, Optional.ofNullable(issuer)));
        });
      }

      @Override
      public String describe() {
        return uri.toString();
      }
    };
  }

  /** A JWKS file, read on the common pool (file I/O must not run on an event loop). */
  static KeySource file(Path path) {
    return new KeySource() {
      @Override
      public CompletableFuture<KeySnapshot> load() {
        return CompletableFuture.supplyAsync(() -> {
          try {
            return new KeySnapshot(JWKSet.parse(Files.readString(path, StandardCharsets.UTF_8)), Optional.empty());
          } catch (IOException | ParseException e) {
            throw new CompletionException(new IOException("jwks file " + path + ": " + e.getMessage(), e));
          }
        });
      }

      @Override
      public String describe() {
        return path.toString();
      }
    };
  }

  private static CompletableFuture<JWKSet> fetchJwks(URI uri, HttpFetcher fetcher, Duration timeout) {
    return fetcher.get(uri, timeout).thenApply(response -> {
      try {
        return JWKSet.parse(json(uri, response));
      } catch (ParseException e) {
        throw new CompletionException(new IOException("jwks " + uri + ": " + e.getMessage()));
      }
    });
  }

  private static Map<String, Object> json(URI uri, HttpFetcher.HttpResponse response) {
    if (response.status() != 200) {
      throw new CompletionException(new IOException(uri + " answered HTTP " + response.status()));
    }
    try {
      return JSONObjectUtils.parse(new String(response.body(), StandardCharsets.UTF_8));
    } catch (ParseException e) {
      throw new CompletionException(new IOException(uri + " answered with invalid JSON"));
    }
  }
}
