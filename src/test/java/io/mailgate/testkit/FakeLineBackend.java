package io.mailgate.testkit;

import java.io.IOException;
import java.nio.charset.Charset;
import java.util.List;

/**
 * What the fake IMAP, POP3 and SMTP backends share: a {@link LineServer} running the subclass's dialogue on each
 * connection, the lines it received, and the bearer token (with or without an RFC 7628 error challenge) it accepts
 * for {@code XOAUTH2}/{@code OAUTHBEARER}.
 *
 * @param <B> the backend's own type, which the fluent setters return
 */
public abstract class FakeLineBackend<B extends FakeLineBackend<B>> implements AutoCloseable {

  /** How the backend's side of an XOAUTH2/OAUTHBEARER exchange ended, before its final reply. */
  enum Outcome {
    /** The response carried the expected token. */
    ACCEPTED,
    /** It did not (and the error challenge, if any, was answered). */
    REFUSED,
    /** The proxy closed the connection mid-exchange. */
    PROXY_GONE
  }

  private LineServer server;
  private volatile String token;
  private volatile boolean errorChallenge;

  FakeLineBackend() {}

  /** Starts listening; called last in the subclass's constructor, once the state its dialogue reads is set. */
  final void listen(String threadName, Charset readCharset) throws IOException {
    server = new LineServer(threadName, readCharset, this::serve);
  }

  /** The backend's side of one connection. */
  abstract void serve(LineServer.Connection c) throws IOException;

  /** Accepts AUTH(ENTICATE) XOAUTH2/OAUTHBEARER with this bearer token; other tokens get the protocol's refusal. */
  public B acceptToken(String bearerToken) {
    this.token = bearerToken;
    return self();
  }

  /** Refuses a wrong token with an error challenge first, as Dovecot does, and the refusal after the answer. */
  public B errorChallenge() {
    this.errorChallenge = true;
    return self();
  }

  /** The backend's port. */
  public int port() {
    return server.port();
  }

  /** Every line received (as the subclass words it), over all connections, in order, without line ends. */
  public List<String> received() {
    return server.received();
  }

  /** Whether a bearer token was set with {@link #acceptToken}. */
  final boolean acceptsTokens() {
    return token != null;
  }

  /**
   * The backend's side of an XOAUTH2/OAUTHBEARER command up to its final reply, which the caller sends: the initial
   * response is word {@code responseWord} of {@code command} or, when absent, asked for with an empty
   * {@code continuation} challenge; a wrong token first gets the RFC 7628 error challenge when {@link #errorChallenge}
   * was set. Lines read are recorded.
   */
  final Outcome bearerExchange(LineServer.Connection c, String command, int responseWord, String continuation)
      throws IOException {
    String[] words = command.split(" ");
    String response = words.length > responseWord ? words[responseWord] : null;
    if (response == null) {
      c.write(continuation + "\r\n");
      response = c.readRecordedLine();
      if (response == null) {
        return Outcome.PROXY_GONE;
      }
    }
    if (FakeBearerTokens.carries(response, token)) {
      return Outcome.ACCEPTED;
    }
    if (errorChallenge) {
      c.write(continuation + FakeBearerTokens.ERROR_CHALLENGE + "\r\n");
      if (c.readRecordedLine() == null) {
        return Outcome.PROXY_GONE;
      }
    }
    return Outcome.REFUSED;
  }

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
