package io.mailgate.e2e;

import static io.mailgate.e2e.TestMailbox.PASSWORD;
import static io.mailgate.e2e.TestMailbox.TOKEN;
import static io.mailgate.e2e.TestMailbox.USER;

import java.util.List;

/**
 * How curl is told to log in to the {@link TestMailbox}, and the Auth-Method mailgate must then send to the auth
 * service. curl 7.88 picks OAUTHBEARER whenever it is advertised, even with {@code --login-options AUTH=XOAUTH2} (curl
 * issue 10259), so XOAUTH2 goes to a second listener whose {@code imap_auth}/{@code pop3_auth}/{@code smtp_auth} leaves
 * OAUTHBEARER out.
 */
enum CurlLogin {
  PLAIN("plain", false, "--login-options", "AUTH=PLAIN", "-u", USER + ":" + PASSWORD),
  LOGIN("plain", false, "--login-options", "AUTH=LOGIN", "-u", USER + ":" + PASSWORD),
  OAUTHBEARER("oauthbearer", false, "--oauth2-bearer", TOKEN, "-u", USER),
  XOAUTH2("xoauth2", true, "--login-options", "AUTH=XOAUTH2", "--oauth2-bearer", TOKEN, "-u", USER);

  private final String authMethod;
  private final boolean needsXoauth2Listener;
  private final List<String> curlArgs;

  CurlLogin(String authMethod, boolean needsXoauth2Listener, String... curlArgs) {
    this.authMethod = authMethod;
    this.needsXoauth2Listener = needsXoauth2Listener;
    this.curlArgs = List.of(curlArgs);
  }

  /** The Auth-Method header mailgate sends for this login (nginx sends LOGIN as "plain" too). */
  String authMethod() {
    return authMethod;
  }

  /** curl's options choosing the mechanism and giving the credentials. */
  List<String> curlArgs() {
    return curlArgs;
  }

  /** The listener to connect to: {@code xoauth2Port} for XOAUTH2 (see the class comment), else {@code mainPort}. */
  int port(int mainPort, int xoauth2Port) {
    return needsXoauth2Listener ? xoauth2Port : mainPort;
  }
}
