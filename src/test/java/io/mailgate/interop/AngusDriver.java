package io.mailgate.interop;

import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.angus.mail.iap.BadCommandException;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.eclipse.angus.mail.pop3.POP3Folder;

/**
 * Angus Mail (Jakarta Mail 2.1), in this JVM: its own PLAIN, LOGIN and XOAUTH2, the IMAP LOGIN command and POP3
 * USER/PASS, and CRAM-MD5 (the JDK's) and OAUTHBEARER ({@link OAuthBearerSasl}) through its SASL path (IMAP and SMTP:
 * Angus's POP3 has no SASL path). STARTTLS with {@code starttls.required}, implicit TLS with the {@code imaps},
 * {@code pop3s}, {@code smtps} providers, the certificate checked against the matrix's CA and the address.
 */
final class AngusDriver implements MailClient {

  private static final String TIMEOUT_MILLIS = "15000";

  @Override
  public String name() {
    return "angus-mail";
  }

  @Override
  public String version() throws Exception {
    return "Angus Mail " + bundleVersion(IMAPStore.class) + " (Jakarta Mail API " + bundleVersion(Session.class)
        + "), Java " + Runtime.version();
  }

  /** The OSGi {@code Bundle-Version} of the jar holding {@code type}: these jars carry no Implementation-Version. */
  private static String bundleVersion(Class<?> type) throws IOException, URISyntaxException {
    try (JarFile jar = new JarFile(Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI())
        .toFile())) {
      return jar.getManifest().getMainAttributes().getValue("Bundle-Version");
    }
  }

  @Override
  public Optional<String> missing() {
    return Optional.empty();
  }

  @Override
  public Set<Mechanism> mechanisms(Protocol protocol) {
    return switch (protocol) {
      case IMAP -> EnumSet.of(Mechanism.DEFAULT, Mechanism.PLAIN, Mechanism.LOGIN, Mechanism.CRAM_MD5,
          Mechanism.XOAUTH2, Mechanism.OAUTHBEARER);
      // Angus's POP3 "LOGIN" is USER/PASS (RFC 1939 §7), not SASL LOGIN, which it does not speak.
      case POP3 -> EnumSet.of(Mechanism.DEFAULT, Mechanism.PLAIN, Mechanism.XOAUTH2);
      case SMTP -> EnumSet.of(Mechanism.PLAIN, Mechanism.LOGIN, Mechanism.CRAM_MD5, Mechanism.XOAUTH2,
          Mechanism.OAUTHBEARER, Mechanism.NONE);
    };
  }

  @Override
  public Optional<String> skipped(Protocol protocol, Mechanism mechanism, Scenario scenario) {
    if (protocol == Protocol.POP3 && mechanism == Mechanism.XOAUTH2 && scenario == Scenario.EXPIRED_TOKEN) {
      return Optional.of("Angus Mail 2.0.5 defect: POP3 XOAUTH2 sees the error challenge, logs 'OAUTH2 authentication"
          + " failed', then reports the login as succeeded without answering it (its next command, STAT, is taken as"
          + " the answer)");
    }
    return Optional.empty();
  }

  @Override
  public boolean showsErrorChallenge(Mechanism mechanism) {
    // Angus's own XOAUTH2 answers the challenge without handing it out; the SASL client sees it.
    return mechanism == Mechanism.OAUTHBEARER;
  }

  @Override
  public Outcome read(Attempt a) throws Exception {
    ByteArrayOutputStream trace = new ByteArrayOutputStream();
    Session session = session(a, trace);
    Store store = session.getStore(providerName(a));
    try {
      store.connect(Endpoint.HOST, a.port(), a.user(), a.secret());
    } catch (AuthenticationFailedException e) {
      return Outcome.refused(OAuthBearerSasl.errorChallenge(), text(trace) + "\n" + e);
    } catch (MessagingException e) {
      if (e.getCause() instanceof BadCommandException) {
        // The server answered AUTHENTICATE with a tagged BAD: refused too (Angus's XOAUTH2 answers the error
        // challenge with its token again, not with the empty response Google's protocol asks for).
        return Outcome.refused(OAuthBearerSasl.errorChallenge(), text(trace) + "\n" + e);
      }
      throw withTrace(e, trace);
    }
    try {
      Folder inbox = store.getFolder("INBOX");
      inbox.open(Folder.READ_ONLY);
      String listing;
      Message first = inbox.getMessage(1);
      if (a.protocol() == Protocol.IMAP) {
        listing = Arrays.stream(store.getDefaultFolder().list("*")).map(Folder::getFullName)
            .collect(Collectors.joining("\n"));
      } else {
        // POP3: the count from STAT, the size from LIST (RFC 1939 §5); Message.getSize() is the body's alone.
        listing = inbox.getMessageCount() + " messages\n1 " + ((POP3Folder) inbox).getSizes()[0];
      }
      ByteArrayOutputStream fetched = new ByteArrayOutputStream();
      first.writeTo(fetched);
      inbox.close(false);
      return new Outcome(true, listing, fetched.toByteArray(), false, Optional.empty(), text(trace));
    } catch (MessagingException e) {
      throw withTrace(e, trace);
    } finally {
      store.close();
    }
  }

  @Override
  public Outcome send(Attempt a, String from, String rcpt, byte[] message) throws Exception {
    ByteArrayOutputStream trace = new ByteArrayOutputStream();
    Session session = session(a, trace);
    jakarta.mail.Transport transport = session.getTransport(providerName(a));
    try {
      if (a.mechanism() == Mechanism.NONE) {
        transport.connect(Endpoint.HOST, a.port(), null, null);
      } else {
        transport.connect(Endpoint.HOST, a.port(), a.user(), a.secret());
      }
    } catch (AuthenticationFailedException e) {
      return Outcome.refused(OAuthBearerSasl.errorChallenge(), text(trace) + "\n" + e);
    } catch (MessagingException e) {
      throw withTrace(e, trace);
    }
    try {
      // Parsed and sent unmodified: Angus writes the original header lines and body bytes.
      MimeMessage mime = new MimeMessage(session, new ByteArrayInputStream(message));
      transport.sendMessage(mime, new Address[] {new InternetAddress(rcpt)});
      return new Outcome(true, "", null, true, Optional.empty(), text(trace));
    } catch (MessagingException e) {
      return new Outcome(true, "", null, false, Optional.empty(), text(trace) + "\n" + e);
    } finally {
      transport.close();
    }
  }

  private static String providerName(Attempt a) {
    return a.transport() == Transport.TLS ? a.protocol().tlsScheme() : a.protocol().scheme();
  }

  private static Session session(Attempt a, ByteArrayOutputStream trace) throws Exception {
    OAuthBearerSasl.install();
    OAuthBearerSasl.reset();
    String p = "mail." + providerName(a) + ".";
    Properties props = new Properties();
    // The SASL exchange in the trace too: the secrets are the matrix's own, and a failure message needs the exchange.
    props.put("mail.debug.auth", "true");
    props.put(p + "connectiontimeout", TIMEOUT_MILLIS);
    props.put(p + "timeout", TIMEOUT_MILLIS);
    props.put(p + "writetimeout", TIMEOUT_MILLIS);
    if (a.transport() != Transport.CLEARTEXT) {
      props.put(p + "ssl.socketFactory", trusting(a).getSocketFactory());
      props.put(p + "ssl.checkserveridentity", "true");
    }
    if (a.transport() == Transport.STARTTLS) {
      props.put(p + "starttls.enable", "true");
      props.put(p + "starttls.required", "true");
    }
    if (a.protocol() == Protocol.SMTP) {
      props.put(p + "auth", Boolean.toString(a.mechanism() != Mechanism.NONE));
      props.put(p + "localhost", "angus.mailgate.test");
    }
    switch (a.mechanism()) {
      case DEFAULT -> {
        if (a.protocol() == Protocol.POP3) {
          // Angus's POP3 authenticator named LOGIN sends USER and PASS.
          props.put(p + "auth.mechanisms", "LOGIN");
        } else {
          // No SASL mechanism left: Angus falls back to IMAP's LOGIN command.
          props.put(p + "auth.mechanisms", "");
          props.put(p + "auth.plain.disable", "true");
          props.put(p + "auth.login.disable", "true");
        }
      }
      case CRAM_MD5, OAUTHBEARER -> {
        props.put(p + "sasl.enable", "true");
        props.put(p + "sasl.mechanisms", a.mechanism().saslName());
        props.put(p + "auth.mechanisms", "");
      }
      case NONE -> { }
      default -> props.put(p + "auth.mechanisms", a.mechanism().saslName());
    }
    Session session = Session.getInstance(props);
    session.setDebugOut(new PrintStream(trace, true, StandardCharsets.UTF_8));
    session.setDebug(true);
    return session;
  }

  /** TLS that trusts exactly the matrix's CA. */
  private static SSLContext trusting(Attempt a) throws Exception {
    X509Certificate ca;
    try (var in = java.nio.file.Files.newInputStream(a.endpoint().caCertificate())) {
      ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca);
    TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }

  /** Any other failure, with Angus's protocol trace for the failure message. */
  private static AssertionError withTrace(MessagingException e, ByteArrayOutputStream trace) {
    return new AssertionError("Angus Mail: " + e + "\n--- client:\n" + text(trace), e);
  }

  private static String text(ByteArrayOutputStream trace) {
    return trace.toString(StandardCharsets.UTF_8);
  }
}
