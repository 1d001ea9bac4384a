package io.mailgate.config;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The built-in authentication directives written in one block, before merging; null means "not set here". */
final class BuiltinAuthSettings {
  Path usersFile;
  URI jwksUri;
  Path jwksFile;
  URI discovery;
  String issuer;
  List<String> audiences;
  List<String> algorithms;
  String scope;
  String userClaim;
  Duration clockSkew;
  BuiltinAuthConfig.Introspection introspection;
  InetSocketAddress backend;
  Path backendMap;
  InetSocketAddress demoMailStore;
  Path demoTokenIssuer;
  BuiltinAuthConfig.BackendCredentials.Mode backendLogin;
  String masterUser;
  Path masterPasswordFile;

  /** Whether any auth_oauth_* directive is set here. */
  boolean anyOAuth() {
    return jwksUri != null || jwksFile != null || discovery != null || issuer != null || audiences != null
        || algorithms != null || scope != null || userClaim != null || clockSkew != null || introspection != null;
  }
}
