package io.mailgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuiltinAuthConfigTest {

  @TempDir Path dir;

  private MailgateConfig load(String mailBody) throws Exception {
    Path conf = dir.resolve("mailgate.conf");
    Files.writeString(conf, "events {}\nmail {\n" + mailBody + "\n}\n");
    return ConfigLoader.load(conf, dir, notice -> { });
  }

  private void assertFails(String mailBody, String message) {
    assertThatThrownBy(() -> load(mailBody)).isInstanceOf(ConfigException.class).hasMessage(message);
  }

  @Test
  void withoutBuiltInDirectivesNothingIsBuiltIn() throws Exception {
    ServerConfig s = load("auth_http 127.0.0.1:9;\nserver { listen 127.0.0.1:143; }").servers().get(0);
    assertThat(s.builtinAuth()).isEqualTo(BuiltinAuthConfig.NONE);
    assertThat(s.authHttp()).isPresent();
  }

  @Test
  void aUsersFileOrATokenIssuerMakesAuthHttpOptional() throws Exception {
    ServerConfig s = load("auth_users users.txt;\nproxy_backend 127.0.0.1:1143;\n"
        + "server { listen 127.0.0.1:143; }").servers().get(0);
    assertThat(s.authHttp()).isEmpty();
    assertThat(s.builtinAuth().usersFile()).contains(dir.resolve("users.txt"));
    assertThat(s.builtinAuth().backend()).contains(new InetSocketAddress("127.0.0.1", 1143));
    assertThat(s.builtinAuth().checksPasswords()).isTrue();
    assertThat(s.builtinAuth().checksTokens()).isFalse();
  }

  @Test
  void noAuthenticatorAtAllIsStillNginxsError() {
    assertFails("server { listen 127.0.0.1:143; }",
        "no \"auth_http\" is defined for server in " + dir.resolve("mailgate.conf") + ":3");
  }

  @Test
  void oauthSettingsAreInheritedPerDirectiveWithDefaults() throws Exception {
    MailgateConfig config = load("auth_oauth_jwks https://idp.example.com/jwks.json;\n"
        + "auth_oauth_issuer https://idp.example.com;\nauth_oauth_audience mail imap;\n"
        + "server { listen 127.0.0.1:143; auth_oauth_scope mail.read; }\n"
        + "server { listen 127.0.0.1:144; protocol imap; auth_oauth_user_claim preferred_username;"
        + " auth_oauth_clock_skew 5s; auth_oauth_algorithms ES256; }");
    BuiltinAuthConfig.OAuth first = config.servers().get(0).builtinAuth().oauth().orElseThrow();
    assertThat(first.jwksUri()).contains(URI.create("https://idp.example.com/jwks.json"));
    assertThat(first.issuer()).contains("https://idp.example.com");
    assertThat(first.audiences()).containsExactly("mail", "imap");
    assertThat(first.scope()).contains("mail.read");
    assertThat(first.userClaim()).isEqualTo("email");
    assertThat(first.clockSkew()).isEqualTo(Duration.ofSeconds(60));
    assertThat(first.algorithms()).isEqualTo(BuiltinAuthDirectives.DEFAULT_ALGORITHMS).doesNotContain("HS256");
    BuiltinAuthConfig.OAuth second = config.servers().get(1).builtinAuth().oauth().orElseThrow();
    assertThat(second.scope()).isEmpty();
    assertThat(second.userClaim()).isEqualTo("preferred_username");
    assertThat(second.clockSkew()).isEqualTo(Duration.ofSeconds(5));
    assertThat(second.algorithms()).isEqualTo(List.of("ES256"));
    assertThat(config.servers().get(1).authHttp()).isEmpty();
  }

  @Test
  void aJwksFileAndIntrospectionResolveAgainstTheConfigFolder() throws Exception {
    BuiltinAuthConfig.OAuth oauth = load("auth_oauth_jwks keys/jwks.json;\n"
        + "auth_oauth_introspection https://idp/introspect mailgate secrets/idp;\n"
        + "server { listen 127.0.0.1:143; }").servers().get(0).builtinAuth().oauth().orElseThrow();
    assertThat(oauth.jwksFile()).contains(dir.resolve("keys/jwks.json"));
    assertThat(oauth.introspection()).contains(new BuiltinAuthConfig.Introspection(
        URI.create("https://idp/introspect"), "mailgate", dir.resolve("secrets/idp")));
  }

  @Test
  void symmetricAndUnknownAlgorithmsAreRefused() {
    assertFails("auth_oauth_jwks k.json;\nauth_oauth_algorithms RS256 HS256;\nserver { listen 127.0.0.1:143; }",
        "invalid value \"HS256\" in " + dir.resolve("mailgate.conf") + ":4");
  }

  @Test
  void oauthWithoutAnyKeySourceIsAnError() {
    assertFails("auth_oauth_issuer https://idp;\nserver { listen 127.0.0.1:143; }",
        "no \"auth_oauth_jwks\", \"auth_oauth_discovery\" or \"auth_oauth_introspection\" is defined for server in "
            + dir.resolve("mailgate.conf") + ":4");
  }

  @Test
  void theDemoPiecesAreNamedHere() throws Exception {
    BuiltinAuthConfig b = load("auth_users demo/users;\ndemo_token_issuer demo;\ndemo_mail_store 127.0.0.1:11143;\n"
        + "server { listen 127.0.0.1:143; }").servers().get(0).builtinAuth();
    assertThat(b.demoTokenIssuer()).contains(dir.resolve("demo"));
    assertThat(b.demoMailStore()).contains(new InetSocketAddress("127.0.0.1", 11143));
    assertThat(b.checksTokens()).isTrue();
  }

  @Test
  void backendAddressesNeedAPort() {
    assertFails("auth_users u;\nproxy_backend 127.0.0.1;\nserver { listen 127.0.0.1:143; }",
        "no port in \"127.0.0.1\" in " + dir.resolve("mailgate.conf") + ":4");
  }

  @Test
  void theBackendGetsTheClientsCredentialsByDefault() throws Exception {
    BuiltinAuthConfig b = load("auth_users u;\nserver { listen 127.0.0.1:143; }").servers().get(0).builtinAuth();
    assertThat(b.backendCredentials()).isEqualTo(BuiltinAuthConfig.BackendCredentials.CLIENT);
    assertThat(b.backendCredentials().mode()).isEqualTo(BuiltinAuthConfig.BackendCredentials.Mode.CLIENT);
  }

  @Test
  void masterModeAndTheMasterUserAreInheritedEachOnItsOwn() throws Exception {
    MailgateConfig config = load("auth_users u;\nproxy_backend_login master;\n"
        + "proxy_backend_master proxy secrets/master;\n"
        + "server { listen 127.0.0.1:143; }\n"
        + "server { listen 127.0.0.1:144; protocol imap; proxy_backend_master other /etc/other; }\n"
        + "server { listen 127.0.0.1:145; protocol imap; proxy_backend_login token; }");
    BuiltinAuthConfig.BackendCredentials first = config.servers().get(0).builtinAuth().backendCredentials();
    assertThat(first.mode()).isEqualTo(BuiltinAuthConfig.BackendCredentials.Mode.MASTER);
    assertThat(first.masterUser()).contains("proxy");
    assertThat(first.masterPasswordFile()).contains(dir.resolve("secrets/master"));
    BuiltinAuthConfig.BackendCredentials second = config.servers().get(1).builtinAuth().backendCredentials();
    assertThat(second.mode()).isEqualTo(BuiltinAuthConfig.BackendCredentials.Mode.MASTER);
    assertThat(second.masterUser()).contains("other");
    assertThat(second.masterPasswordFile()).contains(Path.of("/etc/other"));
    assertThat(config.servers().get(2).builtinAuth().backendCredentials().mode())
        .isEqualTo(BuiltinAuthConfig.BackendCredentials.Mode.TOKEN);
  }

  @Test
  void masterModeWithoutAMasterUserIsAnError() {
    assertFails("auth_users u;\nproxy_backend_login master;\nserver { listen 127.0.0.1:143; }",
        "no \"proxy_backend_master\" is defined for server in " + dir.resolve("mailgate.conf") + ":5");
  }

  @Test
  void anUnknownBackendLoginModeIsRefused() {
    assertFails("auth_users u;\nproxy_backend_login password;\nserver { listen 127.0.0.1:143; }",
        "invalid value \"password\" in " + dir.resolve("mailgate.conf") + ":4");
  }

  @Test
  void aMasterUserContainingTheSeparatorIsRefused() {
    assertFails("auth_users u;\nproxy_backend_master a*b pw;\nserver { listen 127.0.0.1:143; }",
        "invalid value \"a*b\" in " + dir.resolve("mailgate.conf") + ":4");
  }

  @Test
  void theMasterDirectiveTakesAUserAndAFile() {
    assertFails("auth_users u;\nproxy_backend_master proxy;\nserver { listen 127.0.0.1:143; }",
        "invalid number of arguments in \"proxy_backend_master\" directive in " + dir.resolve("mailgate.conf")
            + ":4");
  }
}
