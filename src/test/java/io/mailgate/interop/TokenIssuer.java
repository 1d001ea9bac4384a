package io.mailgate.interop;

import io.mailgate.testkit.IdpKey;
import io.mailgate.testkit.IdpServer;
import io.mailgate.testkit.IdpToken;
import io.mailgate.testkit.UsersFileWriter;
import java.nio.file.Path;

/**
 * mailgate's own authenticators as the master-user and Postfix setups use them: a users file with the
 * {@link Account}'s password (bcrypt), and JWTs from a local identity provider (ES256, published in its JWKS), checked
 * by mailgate: issuer, audience {@code mail}, scope {@code mail.read}, expiry.
 */
final class TokenIssuer implements AutoCloseable {

  private final IdpServer idp;
  private final IdpKey key;
  private final Path usersFile;

  private TokenIssuer(IdpServer idp, IdpKey key, Path usersFile) {
    this.idp = idp;
    this.key = key;
    this.usersFile = usersFile;
  }

  static TokenIssuer start(Path dir) throws Exception {
    IdpServer idp = IdpServer.start();
    IdpKey key = idp.publish(IdpKey.es256("interop-1"));
    Path users = new UsersFileWriter(dir.resolve("users"))
        .user(Account.USER, Account.PASSWORD, UsersFileWriter.Scheme.BCRYPT).write().file();
    return new TokenIssuer(idp, key, users);
  }

  /** The account with a good and an expired token for its user. */
  Account account() {
    return new Account(Account.USER, Account.PASSWORD, idp.token(key).email(Account.USER).sign(),
        idp.token(key).email(Account.USER).expired().sign());
  }

  /** mailgate's directives for the users file and the JWT validation. */
  String mailgateDirectives() {
    return "auth_users " + usersFile + ";\n"
        + "auth_oauth_jwks " + idp.jwksUri() + ";\n"
        + "auth_oauth_issuer " + idp.issuer() + ";\n"
        + "auth_oauth_audience " + IdpToken.AUDIENCE + ";\n"
        + "auth_oauth_scope " + IdpToken.SCOPE + ";\n";
  }

  @Override
  public void close() {
    idp.close();
  }
}
