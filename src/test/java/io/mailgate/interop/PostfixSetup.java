package io.mailgate.interop;

import static org.awaitility.Awaitility.await;

import io.mailgate.e2e.RequiredTools;
import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.PostfixServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Postfix, trusting mailgate's XCLIENT ({@code smtpd_authorized_xclient_hosts}), delivering to a Maildir. Submission:
 * mailgate checks passwords (users file), JWTs (OAUTHBEARER; XOAUTH2 on a listener of its own, see
 * {@link DovecotMasterUserSetup}) and CRAM-MD5 (auth_http), then hands the session to Postfix with XCLIENT, whose
 * log must show the login; also with implicit TLS. MX: {@code smtp_auth none}, the envelope checked by auth_http.
 */
final class PostfixSetup extends MailgateSetup {

  private static final Duration DELIVERY_LIMIT = Duration.ofSeconds(15);

  private PostfixServer postfix;
  private TokenIssuer tokens;
  private Account account;
  private String version;

  PostfixSetup(Path dir) throws Exception {
    super(dir);
  }

  @Override
  protected void startServers(Class<?> test) throws Exception {
    postfix = started(RequiredTools.postfix(test, dir.resolve("postfix"), List.of(), Account.USER));
    version = "Postfix " + PostfixServer.version(PostfixServer.binary().orElseThrow());
    tokens = started(TokenIssuer.start(dir));
    account = tokens.account();
    FakeAuthServer auth = started(new FakeAuthServer(InteropAuthService.routingTo(protocol -> postfix.port())));
    String backend = "xclient on; proxy_backend 127.0.0.1:" + postfix.port() + ";";
    listen("submission", Protocol.SMTP, Listener.STARTTLS_OFFERED, EnumSet.of(Mechanism.PLAIN, Mechanism.LOGIN,
        Mechanism.CRAM_MD5, Mechanism.OAUTHBEARER), backend);
    listen("submission-xoauth2", Protocol.SMTP, Listener.STARTTLS_OFFERED, EnumSet.of(Mechanism.XOAUTH2), backend);
    listen("smtps", Protocol.SMTP, Listener.IMPLICIT_TLS, EnumSet.of(Mechanism.PLAIN, Mechanism.LOGIN), backend);
    listen("mx", Protocol.SMTP, Listener.STARTTLS_OFFERED, EnumSet.of(Mechanism.NONE), "xclient on;");
    startMailgate(tokens.mailgateDirectives() + "auth_http http://127.0.0.1:" + auth.port() + "/auth;");
  }

  @Override
  public String name() {
    return "postfix";
  }

  @Override
  public String versions() {
    return version + " (XCLIENT for mailgate; submission and smtp_auth none)";
  }

  @Override
  public Account account() {
    return account;
  }

  @Override
  public byte[] awaitDelivery(String messageId) {
    AtomicReference<byte[]> found = new AtomicReference<>();
    String header = "Message-ID: " + messageId + "\n";
    await().atMost(DELIVERY_LIMIT).pollInterval(Duration.ofMillis(50)).alias("delivery of " + messageId)
        .until(() -> {
          for (Path file : postfix.deliveredMessages()) {
            byte[] bytes = Files.readAllBytes(file);
            if (new String(bytes, StandardCharsets.UTF_8).contains(header)) {
              found.set(bytes);
              return true;
            }
          }
          return false;
        });
    return found.get();
  }

  /** Postfix logged the login mailgate passed on in XCLIENT (RFC-less, Postfix's XCLIENT_README: LOGIN=). */
  @Override
  public void checkLoggedIn(Attempt attempt) {
    if (attempt.mechanism().authenticates()) {
      String line = "sasl_method=XCLIENT, sasl_username=" + Account.USER;
      await().atMost(DELIVERY_LIMIT).pollInterval(Duration.ofMillis(50)).alias(line)
          .until(() -> postfix.maillog().contains(line));
    }
  }

  @Override
  public String logs() {
    return postfix.log();
  }
}
