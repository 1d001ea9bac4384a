package io.mailgate.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * An IMAP, POP3 or SMTP backend on loopback that speaks TLS with a {@link TestPki} certificate: implicit TLS (IMAPS,
 * POP3S, SMTPS), STARTTLS/STLS on request, or cleartext only (it then refuses STARTTLS, as a server without TLS does).
 * It accepts any login and records every line with whether it came over TLS, the SNI names and TLS sessions it saw,
 * so tests can prove that no credential ever went out in clear.
 */
public final class FakeTlsBackend implements AutoCloseable {

  /** Which protocol it speaks. */
  public enum Protocol {
    /** RFC 3501, STARTTLS. */
    IMAP,
    /** RFC 1939, STLS (RFC 2595). */
    POP3,
    /** RFC 5321, STARTTLS (RFC 3207), XCLIENT as Postfix. */
    SMTP
  }

  /** How it offers TLS. */
  public enum Mode {
    /** The handshake starts the connection. */
    IMPLICIT,
    /** Cleartext greeting, STARTTLS/STLS announced and accepted. */
    STARTTLS,
    /** Cleartext only: STARTTLS/STLS neither announced nor accepted. */
    CLEARTEXT
  }

  /** One received line and whether TLS protected it. */
  public record Line(String text, boolean tls) {}

  private static final Pattern LITERAL = Pattern.compile("\\{(\\d+)(\\+?)\\}$");

  private final Protocol protocol;
  private final Mode mode;
  private final TestPki.Pair certificate;
  private volatile SSLContext context;
  private volatile boolean needClientAuth;
  private final List<String> clientSubjects = new CopyOnWriteArrayList<>();
  private final ServerSocket server;
  private final List<Line> received = new CopyOnWriteArrayList<>();
  private final List<String> serverNames = new CopyOnWriteArrayList<>();
  private final List<Long> sessionCreationTimes = new CopyOnWriteArrayList<>();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private volatile boolean imapGreetingCapabilities = true;
  private volatile String imapExtraCapabilities = "";
  private volatile String[] tlsProtocols;

  /** A backend speaking {@code protocol}, offering TLS as {@code mode} with {@code certificate} (and its key). */
  public FakeTlsBackend(Protocol protocol, Mode mode, TestPki.Pair certificate) throws IOException {
    this.protocol = protocol;
    this.mode = mode;
    this.certificate = certificate;
    this.context = serverContext(certificate, null);
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "fake-tls-" + protocol.name().toLowerCase(Locale.ROOT));
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** IMAP only: a greeting without {@code [CAPABILITY ...]}, so the proxy must ask with CAPABILITY. */
  public FakeTlsBackend withoutGreetingCapabilities() {
    this.imapGreetingCapabilities = false;
    return this;
  }

  /** IMAP only: one more capability word (e.g. {@code ID}) in every capability list, before and after TLS. */
  public FakeTlsBackend withImapCapability(String word) {
    this.imapExtraCapabilities += " " + word;
    return this;
  }

  /** Restricts the TLS versions the backend accepts (e.g. {@code TLSv1.2}, whose session ids show resumption). */
  public FakeTlsBackend tlsProtocols(String... protocols) {
    this.tlsProtocols = protocols.clone();
    return this;
  }

  /** Demands a client certificate issued by {@code ca} in every handshake (mutual TLS). */
  public FakeTlsBackend requireClientCertificate(X509Certificate ca) {
    this.context = serverContext(certificate, ca);
    this.needClientAuth = true;
    return this;
  }

  /** The subject of each client certificate presented, as RFC 2253 text. */
  public List<String> clientSubjects() {
    return clientSubjects;
  }

  /** The backend's port. */
  public int port() {
    return server.getLocalPort();
  }

  /** Every line received over all connections, in order. */
  public List<Line> received() {
    return received;
  }

  /** The lines received in cleartext. */
  public List<String> receivedInClear() {
    return received.stream().filter(l -> !l.tls()).map(Line::text).toList();
  }

  /** The lines received over TLS. */
  public List<String> receivedOverTls() {
    return received.stream().filter(Line::tls).map(Line::text).toList();
  }

  /** The SNI host name of each handshake, "(none)" when the client sent none. */
  public List<String> serverNames() {
    return serverNames;
  }

  /**
   * The creation time of each completed handshake's TLS session: a resumed session keeps the time of the one it resumes
   * (with session tickets the JDK server hands out a new session id, so the id cannot tell).
   */
  public List<Long> sessionCreationTimes() {
    return sessionCreationTimes;
  }

  /** Handshake failures seen by the backend (the proxy refused its certificate, for instance). */
  public List<String> failures() {
    return failures;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        Thread t = new Thread(() -> serve(socket), "fake-tls-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  /** One connection: its streams change when TLS starts. */
  private final class Connection {
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private boolean tls;

    Connection(Socket socket) throws IOException {
      this.socket = socket;
      socket.setSoTimeout(15_000);
      in = new BufferedInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    }

    /** Starts TLS over the connection (the proxy has the go-ahead, nothing is buffered). */
    void startTls() throws IOException {
      SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(socket, null, socket.getPort(), true);
      ssl.setUseClientMode(false);
      if (tlsProtocols != null) {
        ssl.setEnabledProtocols(tlsProtocols);
      }
      ssl.setNeedClientAuth(needClientAuth);
      try {
        ssl.startHandshake();
      } catch (IOException e) {
        failures.add(String.valueOf(e.getMessage()));
        throw e;
      }
      noteSession(ssl.getSession());
      socket = ssl;
      in = new BufferedInputStream(ssl.getInputStream());
      out = ssl.getOutputStream();
      tls = true;
    }

    String readLine() throws IOException {
      String line = FakeTlsBackend.readLine(in);
      if (line != null) {
        record(line);
      }
      return line;
    }

    void record(String text) {
      received.add(new Line(text, tls));
    }

    void write(String text) throws IOException {
      out.write(text.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }
  }

  private void noteSession(SSLSession session) {
    String name = "(none)";
    if (session instanceof ExtendedSSLSession extended) {
      for (SNIServerName sni : extended.getRequestedServerNames()) {
        if (sni instanceof SNIHostName host) {
          name = host.getAsciiName();
        }
      }
    }
    serverNames.add(name);
    try {
      clientSubjects.add(((X509Certificate) session.getPeerCertificates()[0]).getSubjectX500Principal().getName());
    } catch (SSLPeerUnverifiedException e) {
      // no client certificate: nothing to record
    }
    sessionCreationTimes.add(session.getCreationTime());
  }

  private void serve(Socket socket) {
    try (socket) {
      Connection c = new Connection(socket);
      if (mode == Mode.IMPLICIT) {
        c.startTls();
      }
      switch (protocol) {
        case IMAP:
          imap(c);
          break;
        case POP3:
          pop3(c);
          break;
        default:
          smtp(c);
          break;
      }
      c.socket.close();
    } catch (IOException e) {
      // the proxy went away or refused the handshake
    }
  }

  private boolean offersStartTls(Connection c) {
    return mode == Mode.STARTTLS && !c.tls;
  }

  private void imap(Connection c) throws IOException {
    c.write(imapGreetingCapabilities ? "* OK [CAPABILITY " + imapCapabilities(c) + "] fake ready\r\n"
        : "* OK fake ready\r\n");
    while (true) {
      String command = readImapCommand(c);
      if (command == null) {
        return;
      }
      String tag = command.split(" ", 2)[0];
      String verb = command.substring(tag.length()).trim().split(" ", 2)[0].toUpperCase(Locale.ROOT);
      switch (verb) {
        case "CAPABILITY":
          c.write("* CAPABILITY " + imapCapabilities(c) + "\r\n" + tag + " OK CAPABILITY completed\r\n");
          break;
        case "STARTTLS":
          if (!offersStartTls(c)) {
            c.write(tag + " BAD unknown command\r\n");
            break;
          }
          c.write(tag + " OK Begin TLS negotiation now\r\n");
          c.startTls();
          break;
        case "LOGIN":
          c.write(tag + " OK [CAPABILITY IMAP4rev1] Logged in\r\n");
          break;
        case "LOGOUT":
          c.write("* BYE fake logging out\r\n" + tag + " OK LOGOUT completed\r\n");
          return;
        default:
          c.write(tag + " OK " + verb + " completed\r\n");
          break;
      }
    }
  }

  /** Like Dovecot with {@code disable_plaintext_auth}: LOGINDISABLED until TLS is on. */
  private String imapCapabilities(Connection c) {
    if (offersStartTls(c)) {
      return "IMAP4rev1 STARTTLS LOGINDISABLED" + imapExtraCapabilities;
    }
    return (c.tls ? "IMAP4rev1 LITERAL+" : "IMAP4rev1") + imapExtraCapabilities;
  }

  /** One command with its literals joined in ({@code +} sent for synchronizing ones). */
  private static String readImapCommand(Connection c) throws IOException {
    StringBuilder command = new StringBuilder();
    while (true) {
      String line = FakeTlsBackend.readLine(c.in);
      if (line == null) {
        return null;
      }
      command.append(line);
      Matcher m = LITERAL.matcher(line);
      if (!m.find()) {
        break;
      }
      if (m.group(2).isEmpty()) {
        c.write("+ go ahead\r\n");
      }
      command.append("\r\n").append(new String(c.in.readNBytes(Integer.parseInt(m.group(1))),
          StandardCharsets.ISO_8859_1));
    }
    c.record(command.toString());
    return command.toString();
  }

  private void pop3(Connection c) throws IOException {
    c.write("+OK fake pop3 ready\r\n");
    String line;
    while ((line = c.readLine()) != null) {
      String upper = line.toUpperCase(Locale.ROOT);
      if (upper.equals("STLS")) {
        if (offersStartTls(c)) {
          c.write("+OK Begin TLS negotiation\r\n");
          c.startTls();
        } else {
          c.write("-ERR unknown command\r\n");
        }
      } else if (upper.equals("QUIT")) {
        c.write("+OK bye\r\n");
        return;
      } else if (upper.startsWith("PASS ")) {
        c.write("+OK logged in\r\n");
      } else if (upper.equals("STAT")) {
        c.write("+OK 0 0\r\n");
      } else if (upper.equals("CAPA")) {
        // A server that takes XCLIENT and says so in CAPA (RFC 2449 §5), not in its greeting.
        c.write("+OK\r\nUSER\r\nXCLIENT\r\n.\r\n");
      } else if (upper.startsWith("XCLIENT ")) {
        c.write("+OK Updated\r\n");
      } else {
        c.write("+OK\r\n");
      }
    }
  }

  private void smtp(Connection c) throws IOException {
    c.write("220 fake.backend ESMTP\r\n");
    String line;
    while ((line = c.readLine()) != null) {
      String upper = line.toUpperCase(Locale.ROOT);
      if (upper.startsWith("EHLO")) {
        c.write("250-fake.backend\r\n" + (offersStartTls(c) ? "250-STARTTLS\r\n" : "")
            + "250-XCLIENT NAME ADDR PROTO HELO LOGIN\r\n250 8BITMIME\r\n");
      } else if (upper.startsWith("HELO")) {
        c.write("250 fake.backend\r\n");
      } else if (upper.equals("STARTTLS")) {
        if (offersStartTls(c)) {
          c.write("220 2.0.0 Ready to start TLS\r\n");
          c.startTls();
        } else {
          c.write("502 5.5.2 Error: command not recognized\r\n");
        }
      } else if (upper.startsWith("XCLIENT")) {
        c.write("220 fake.backend ESMTP\r\n");
      } else if (upper.startsWith("AUTH PLAIN ")) {
        c.write("235 2.7.0 Authentication successful\r\n");
      } else if (upper.equals("QUIT")) {
        c.write("221 2.0.0 Bye\r\n");
        return;
      } else {
        c.write("250 2.0.0 Ok\r\n");
      }
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        String s = line.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      line.write(b);
    }
    return null;
  }

  /** A server context from {@code pair}'s certificate and key, trusting {@code clientCa} (may be null) for clients. */
  private static SSLContext serverContext(TestPki.Pair pair, X509Certificate clientCa) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      char[] password = "changeit".toCharArray();
      store.setKeyEntry("server", pair.privateKey(), password, new Certificate[] {pair.x509()});
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, password);
      TrustManagerFactory trust = null;
      if (clientCa != null) {
        KeyStore anchors = KeyStore.getInstance("PKCS12");
        anchors.load(null, null);
        anchors.setCertificateEntry("client-ca", clientCa);
        trust = TrustManagerFactory.getInstance("PKIX");
        trust.init(anchors);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
