package io.mailgate.sasl;

import java.util.Locale;
import java.util.Optional;

/**
 * The authentication methods nginx's mail module knows, in nginx's fixed advertisement order
 * (PLAIN, LOGIN, APOP, CRAM-MD5, EXTERNAL, XOAUTH2, OAUTHBEARER; NONE is SMTP's {@code smtp_auth none}).
 * The order of the constants is the order capabilities are listed in, whatever the directive order.
 */
public enum Mechanism {
  /** RFC 4616; also the IMAP LOGIN, POP3 USER/PASS commands ({@code Auth-Method: plain}). */
  PLAIN("PLAIN", "plain", "plain"),
  /** draft-murchison-sasl-login; sent to auth_http as {@code plain}. */
  LOGIN("LOGIN", "plain", "login"),
  /** RFC 1939 APOP (POP3 only); never listed as a SASL mechanism. */
  APOP("APOP", "apop", "apop"),
  /** RFC 2195. */
  CRAM_MD5("CRAM-MD5", "cram-md5", "cram-md5"),
  /** RFC 4422 appendix A; the auth service decides. */
  EXTERNAL("EXTERNAL", "external", "external"),
  /** Google's XOAUTH2. */
  XOAUTH2("XOAUTH2", "xoauth2", "xoauth2"),
  /** RFC 7628. */
  OAUTHBEARER("OAUTHBEARER", "oauthbearer", "oauthbearer"),
  /** SMTP {@code smtp_auth none}: no authentication, MAIL FROM/RCPT TO go to auth_http. */
  NONE("NONE", "none", "none");

  private final String saslName;
  private final String authHttpMethod;
  private final String directiveName;

  Mechanism(String saslName, String authHttpMethod, String directiveName) {
    this.saslName = saslName;
    this.authHttpMethod = authHttpMethod;
    this.directiveName = directiveName;
  }

  /** The name on the wire: {@code AUTH=<saslName>}, {@code AUTHENTICATE <saslName>}. */
  public String saslName() {
    return saslName;
  }

  /** The value of the {@code Auth-Method} request header. */
  public String authHttpMethod() {
    return authHttpMethod;
  }

  /** The word used in {@code imap_auth}, {@code pop3_auth}, {@code smtp_auth}. */
  public String directiveName() {
    return directiveName;
  }

  /** True for the OAuth 2.0 bearer-token mechanisms, the only ones that honour {@code Auth-Error-SASL}. */
  public boolean isOAuth() {
    return this == XOAUTH2 || this == OAUTHBEARER;
  }

  /** The mechanism a client names in AUTH/AUTHENTICATE, case-insensitively; APOP and NONE are not SASL names. */
  public static Optional<Mechanism> fromSaslName(String name) {
    String upper = name.toUpperCase(Locale.ROOT);
    for (Mechanism m : values()) {
      if (m != APOP && m != NONE && m.saslName.equals(upper)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  /** The mechanism named by a word of {@code imap_auth}/{@code pop3_auth}/{@code smtp_auth}, case-insensitively. */
  public static Optional<Mechanism> fromDirectiveName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    for (Mechanism m : values()) {
      if (m.directiveName.equals(lower)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }
}
