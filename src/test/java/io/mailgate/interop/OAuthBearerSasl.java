package io.mailgate.interop;

import java.nio.charset.StandardCharsets;
import java.security.Provider;
import java.security.Security;
import java.util.Map;
import java.util.Optional;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslClientFactory;
import javax.security.sasl.SaslException;

/**
 * An RFC 7628 OAUTHBEARER client for the JDK's SASL framework, so that Angus Mail, which has XOAUTH2 built in but not
 * OAUTHBEARER, logs in with it through its SASL path ({@code mail.imap.sasl.enable}). The token is the password the
 * mail client passes on. The last error challenge of the current thread is kept for the matrix to check.
 */
final class OAuthBearerSasl {

  private static final ThreadLocal<String> ERROR_CHALLENGE = new ThreadLocal<>();
  private static volatile boolean installed;

  private OAuthBearerSasl() {}

  /** Registers the factory with the JDK once (a security provider offering {@code SaslClientFactory.OAUTHBEARER}). */
  static synchronized void install() {
    if (!installed) {
      Security.addProvider(new InteropSaslProvider());
      installed = true;
    }
  }

  /** Forgets the current thread's error challenge, before a session. */
  static void reset() {
    ERROR_CHALLENGE.remove();
  }

  /** The error challenge the current thread's last OAUTHBEARER exchange received. */
  static Optional<String> errorChallenge() {
    return Optional.ofNullable(ERROR_CHALLENGE.get());
  }

  /** The provider; public with a public constructor, as the JDK instantiates its factory by reflection. */
  public static final class InteropSaslProvider extends Provider {
    private static final long serialVersionUID = 1L;

    public InteropSaslProvider() {
      super("MailgateInteropSasl", "1.0", "OAUTHBEARER (RFC 7628) for the interop matrix");
      putService(new Service(this, "SaslClientFactory", "OAUTHBEARER", Factory.class.getName(), null, null));
    }
  }

  /** Makes {@link Client}s. */
  public static final class Factory implements SaslClientFactory {
    @Override
    public SaslClient createSaslClient(String[] mechanisms, String authorizationId, String protocol,
        String serverName, Map<String, ?> props, CallbackHandler handler) throws SaslException {
      for (String m : mechanisms) {
        if ("OAUTHBEARER".equals(m)) {
          return new Client(handler);
        }
      }
      return null;
    }

    @Override
    public String[] getMechanismNames(Map<String, ?> props) {
      return new String[] {"OAUTHBEARER"};
    }
  }

  /** One exchange: the GS2 header and bearer token first (§3.1), then {@code %x01} to an error challenge (§3.2.3). */
  private static final class Client implements SaslClient {
    private final CallbackHandler handler;
    private boolean sent;
    private boolean complete;

    Client(CallbackHandler handler) {
      this.handler = handler;
    }

    @Override
    public String getMechanismName() {
      return "OAUTHBEARER";
    }

    @Override
    public boolean hasInitialResponse() {
      return true;
    }

    @Override
    public byte[] evaluateChallenge(byte[] challenge) throws SaslException {
      if (!sent) {
        sent = true;
        NameCallback name = new NameCallback("user");
        PasswordCallback token = new PasswordCallback("token", false);
        try {
          handler.handle(new Callback[] {name, token});
        } catch (Exception e) {
          throw new SaslException("no credentials", e);
        }
        // Not complete yet: the server may still send an error challenge (RFC 7628 §3.2.2), which Angus hands to
        // evaluateChallenge only while the client is not complete (else it answers with an empty line).
        String gs2 = "n,a=" + name.getName().replace("=", "=3D").replace(",", "=2C") + ",";
        return (gs2 + "\u0001auth=Bearer " + new String(token.getPassword()) + "\u0001\u0001")
            .getBytes(StandardCharsets.UTF_8);
      }
      ERROR_CHALLENGE.set(new String(challenge, StandardCharsets.UTF_8));
      complete = true;
      return new byte[] {1};
    }

    @Override
    public boolean isComplete() {
      return complete;
    }

    @Override
    public byte[] unwrap(byte[] incoming, int offset, int len) {
      throw new IllegalStateException("no security layer");
    }

    @Override
    public byte[] wrap(byte[] outgoing, int offset, int len) {
      throw new IllegalStateException("no security layer");
    }

    @Override
    public Object getNegotiatedProperty(String propName) {
      return null;
    }

    @Override
    public void dispose() {}
  }
}
