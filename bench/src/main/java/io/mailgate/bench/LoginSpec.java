package io.mailgate.bench;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * How a load-generator session logs in.
 *
 * @param protocol {@code imap}, {@code pop3} or {@code smtp}
 * @param auth {@code login} (IMAP LOGIN, POP3 USER/PASS, SMTP AUTH LOGIN), {@code plain}, {@code oauthbearer} or
 *     {@code xoauth2}
 * @param user the user name
 * @param password the password (login and plain)
 * @param token the bearer token (oauthbearer and xoauth2)
 * @param loginForm IMAP LOGIN arguments: {@code atom}, {@code quoted}, {@code literal} ({@code {n}}, waits for
 *     {@code +}) or {@code literal-plus} ({@code {n+}}, RFC 7888)
 * @param saslIr send the SASL initial response on the command line (RFC 4959); else wait for the empty challenge
 * @param select IMAP: {@code SELECT INBOX} after login (the relay scenarios)
 * @param uidFetch IMAP: {@code UID FETCH 1 BODY[]} instead of {@code FETCH 1 BODY[]}
 * @param syncLiteral IMAP APPEND: {@code {n}} and wait for {@code +} instead of {@code {n+}}
 * @param targetHost host named in the OAUTHBEARER {@code host=} field
 * @param targetPort port named in the OAUTHBEARER {@code port=} field
 */
public record LoginSpec(String protocol, String auth, String user, String password, String token, String loginForm,
    boolean saslIr, boolean select, boolean uidFetch, boolean syncLiteral, String targetHost, int targetPort) {

  /** Checks the combination. */
  public LoginSpec {
    protocol = protocol.toLowerCase(Locale.ROOT);
    auth = auth.toLowerCase(Locale.ROOT);
    if (!protocol.equals("imap") && !protocol.equals("pop3") && !protocol.equals("smtp")) {
      throw new IllegalArgumentException("--protocol must be imap, pop3 or smtp");
    }
    if (!auth.equals("login") && !auth.equals("plain") && !auth.equals("oauthbearer") && !auth.equals("xoauth2")) {
      throw new IllegalArgumentException("--auth must be login, plain, oauthbearer or xoauth2");
    }
    if (!loginForm.equals("atom") && !loginForm.equals("quoted") && !loginForm.equals("literal")
        && !loginForm.equals("literal-plus")) {
      throw new IllegalArgumentException("--login-form must be atom, quoted, literal or literal-plus");
    }
  }

  /** The SASL mechanism name for {@link #auth}. */
  public String mechanism() {
    return auth.toUpperCase(Locale.ROOT);
  }

  /** The base64 initial response of the SASL mechanism (PLAIN, OAUTHBEARER or XOAUTH2). */
  public String initialResponse() {
    String message;
    switch (auth) {
      case "oauthbearer":
        // RFC 7628 §3.1: gs2 header with the authzid, then key=value pairs separated by ^A.
        message = "n,a=" + user + ",\u0001host=" + targetHost + "\u0001port=" + targetPort
            + "\u0001auth=Bearer " + token + "\u0001\u0001";
        break;
      case "xoauth2":
        message = "user=" + user + "\u0001auth=Bearer " + token + "\u0001\u0001";
        break;
      default:
        // RFC 4616: empty authzid, authcid, password.
        message = "\u0000" + user + "\u0000" + password;
    }
    return base64(message);
  }

  /** Base64 of the UTF-8 bytes of {@code text}. */
  public static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Octets of {@code text} in UTF-8, for literal lengths. */
  public static int octets(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }
}
