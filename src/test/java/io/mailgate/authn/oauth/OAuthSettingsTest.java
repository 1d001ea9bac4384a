package io.mailgate.authn.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OAuthSettingsTest {

  private static final URI JWKS = URI.create("https://idp.example/jwks");

  @Test
  void theBuilderHasTheDocumentedDefaults() {
    OAuthSettings s = OAuthSettings.builder().jwksUri(JWKS).build();

    assertThat(s.algorithms()).containsExactlyInAnyOrder("RS256", "RS384", "RS512", "PS256", "ES256", "ES384",
        "EdDSA");
    assertThat(s.userClaim()).isEqualTo("email");
    assertThat(s.clockSkew()).isEqualTo(Duration.ofSeconds(60));
    assertThat(s.keyRefreshMinInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.fetchTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.issuer()).isEmpty();
    assertThat(s.audiences()).isEmpty();
    assertThat(s.usesIntrospection()).isFalse();
  }

  @Test
  void noneAndHmacAlgorithmsAreRefused() {
    for (String alg : new String[] {"none", "NONE", "HS256", "HS512", "hs384"}) {
      assertThatThrownBy(() -> OAuthSettings.builder().jwksUri(JWKS).algorithms("RS256", alg).build())
          .hasMessageContaining("never accepted");
    }
    assertThatThrownBy(() -> OAuthSettings.builder().jwksUri(JWKS).algorithms("RS1").build())
        .hasMessageContaining("unsupported algorithm RS1");
    assertThatThrownBy(() -> OAuthSettings.builder().jwksUri(JWKS).algorithms().build())
        .hasMessageContaining("no signature algorithm");
  }

  @Test
  void aKeySourceOrIntrospectionIsRequiredAndTheyAreExclusive() {
    assertThatThrownBy(() -> OAuthSettings.builder().build()).hasMessageContaining("no key source");
    assertThatThrownBy(() -> OAuthSettings.builder().jwksUri(JWKS).jwksFile(Path.of("k.json")).build())
        .hasMessageContaining("both");
    assertThatThrownBy(() -> OAuthSettings.builder().jwksUri(JWKS).introspection(JWKS, "id", "x").build())
        .hasMessageContaining("exclusive");
    assertThat(OAuthSettings.builder().introspection(JWKS, "id", "x")
        .discoveryUri(URI.create("https://idp.example/.well-known/openid-configuration")).build()
        .usesIntrospection()).isTrue();
  }

  @Test
  void urlsMustBeHttp() {
    assertThatThrownBy(() -> OAuthSettings.builder().jwksUri(URI.create("file:///etc/jwks")).build())
        .hasMessageContaining("http(s)");
    assertThatThrownBy(() -> OAuthSettings.builder().introspection(URI.create("ldap://x"), "id", "s").build())
        .hasMessageContaining("http(s)");
  }

  @Test
  void nonsensicalNumbersAreRefused() {
    assertThatThrownBy(() -> OAuthSettings.builder().jwksUri(JWKS).cacheMaxEntries(0).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OAuthSettings.builder().jwksUri(JWKS).fetchTimeout(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OAuthSettings.builder().jwksUri(JWKS).clockSkew(Duration.ofSeconds(-1)).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OAuthSettings.builder().jwksUri(JWKS).userClaim(" ").build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theClientSecretIsNeverPrinted() {
    OAuthSettings s = OAuthSettings.builder().introspection(JWKS, "mailgate", "hunter2").build();

    assertThat(s.toString()).doesNotContain("hunter2").contains("mailgate");
    assertThat(s.introspection()).map(Object::toString).get().asString().doesNotContain("hunter2");
    assertThat(s.introspection()).isEqualTo(Optional.of(new OAuthSettings.Introspection(JWKS, "mailgate",
        "hunter2")));
  }
}
