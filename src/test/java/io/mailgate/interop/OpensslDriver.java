package io.mailgate.interop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code openssl s_client -starttls imap|pop3|smtp} (or implicit TLS), verifying mailgate's certificate, with the
 * protocol typed line by line as a person would: LOGIN or USER/PASS, AUTHENTICATE/AUTH PLAIN and OAUTHBEARER with an
 * initial response (answering an RFC 7628 error challenge with {@code AQ==}), then LIST/EXAMINE/FETCH, STAT/LIST/RETR
 * or MAIL/RCPT/DATA. s_client always uses TLS: on a listener that offers STARTTLS it takes it.
 */
final class OpensslDriver implements MailClient {

  private static final Duration LINE_LIMIT = Duration.ofSeconds(15);
  private static final Pattern LITERAL = Pattern.compile("\\{(\\d+)}\\r?\\n$");

  private final Path workDir;
  private final Optional<Path> binary = Tools.find("openssl");

  OpensslDriver(Path workDir) {
    this.workDir = workDir;
  }

  @Override
  public String name() {
    return "openssl";
  }

  @Override
  public String version() throws Exception {
    return Tools.versionLine(workDir, "OpenSSL", binary.orElseThrow().toString(), "version") + " s_client";
  }

  @Override
  public Optional<String> missing() {
    return binary.isPresent() ? Optional.empty() : Optional.of("openssl is not installed (Debian package openssl)");
  }

  @Override
  public Set<Mechanism> mechanisms(Protocol protocol) {
    return EnumSet.of(Mechanism.PLAIN, Mechanism.OAUTHBEARER,
        protocol.reads() ? Mechanism.DEFAULT : Mechanism.NONE);
  }

  @Override
  public Transport transport(Listener listener) {
    return listener == Listener.IMPLICIT_TLS ? Transport.TLS : Transport.STARTTLS;
  }

  @Override
  public boolean showsErrorChallenge(Mechanism mechanism) {
    return mechanism == Mechanism.OAUTHBEARER;
  }

  @Override
  public Outcome read(Attempt a) throws Exception {
    try (ProcessDialogue d = open(a)) {
      Session s = a.protocol() == Protocol.IMAP ? imap(d, a) : pop3(d, a);
      return new Outcome(s.loggedIn, s.listing, s.fetched, false, s.challenge, d.transcript());
    }
  }

  @Override
  public Outcome send(Attempt a, String from, String rcpt, byte[] message) throws Exception {
    try (ProcessDialogue d = open(a)) {
      if (a.transport() == Transport.TLS) {
        smtpReply(d);
      }
      ehlo(d);
      Session s = new Session();
      if (a.mechanism() != Mechanism.NONE) {
        d.send("AUTH " + a.mechanism().saslName() + " " + initialResponse(a));
        String reply = smtpReply(d);
        if (reply.startsWith("334 ")) {
          s.challenge = Optional.of(decode(reply.substring(4)));
          d.send("AQ==");
          reply = smtpReply(d);
        }
        s.loggedIn = reply.startsWith("235");
        if (!s.loggedIn) {
          d.send("QUIT");
          return Outcome.refused(s.challenge, d.transcript());
        }
      }
      boolean sent = smtp(d, "MAIL FROM:<" + from + ">", "250") && smtp(d, "RCPT TO:<" + rcpt + ">", "250")
          && smtp(d, "DATA", "354");
      if (sent) {
        d.sendRaw(dotStuffed(message));
        sent = smtp(d, ".", "250");
      }
      d.send("QUIT");
      smtpReply(d);
      return new Outcome(a.mechanism() == Mechanism.NONE ? sent : s.loggedIn, "", null, sent, s.challenge,
          d.transcript());
    }
  }

  /** What an IMAP or POP3 session came to. */
  private static final class Session {
    boolean loggedIn;
    String listing = "";
    byte[] fetched;
    Optional<String> challenge = Optional.empty();
  }

  private Session imap(ProcessDialogue d, Attempt a) throws Exception {
    Session s = new Session();
    if (a.transport() == Transport.TLS) {
      d.readUntil("* OK");
    }
    d.send(switch (a.mechanism()) {
      case DEFAULT -> "a1 LOGIN " + quoted(a.user()) + " " + quoted(a.secret());
      default -> "a1 AUTHENTICATE " + a.mechanism().saslName() + " " + initialResponse(a);
    });
    String line;
    while ((line = d.readLine()) != null && !line.startsWith("a1 ")) {
      if (line.startsWith("+ ")) {
        s.challenge = Optional.of(decode(line.substring(2)));
        d.send("AQ==");
      }
    }
    s.loggedIn = line != null && line.startsWith("a1 OK");
    if (!s.loggedIn) {
      logOutAfterRefusal(d, "a9 LOGOUT");
      return s;
    }
    d.send("a2 LIST \"\" \"*\"");
    StringBuilder listing = new StringBuilder();
    while ((line = d.readLine()) != null && !line.startsWith("a2 ")) {
      listing.append(line).append('\n');
    }
    s.listing = listing.toString();
    d.send("a3 EXAMINE INBOX");
    d.readUntil("a3 ");
    d.send("a4 FETCH 1 BODY.PEEK[]");
    byte[] raw;
    while ((raw = d.readRawLine()) != null) {
      String text = new String(raw, StandardCharsets.UTF_8);
      Matcher m = LITERAL.matcher(text);
      if (text.startsWith("* 1 FETCH ") && m.find()) {
        s.fetched = literal(d, Integer.parseInt(m.group(1)));
      }
      if (text.startsWith("a4 ")) {
        break;
      }
    }
    d.send("a5 LOGOUT");
    d.readUntil("a5 ");
    return s;
  }

  /** The {@code n} octets of an IMAP literal (RFC 3501 §4.3), which may end inside a line. */
  private static byte[] literal(ProcessDialogue d, int n) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    while (bytes.size() < n) {
      byte[] raw = d.readRawLine();
      if (raw == null) {
        break;
      }
      bytes.write(raw);
    }
    byte[] all = bytes.toByteArray();
    return java.util.Arrays.copyOf(all, Math.min(n, all.length));
  }

  private Session pop3(ProcessDialogue d, Attempt a) throws Exception {
    Session s = new Session();
    if (a.transport() == Transport.TLS) {
      d.readUntil("+OK");
    }
    String reply;
    if (a.mechanism() == Mechanism.DEFAULT) {
      d.send("USER " + a.user());
      d.readLine();
      d.send("PASS " + a.secret());
      reply = d.readLine();
    } else {
      d.send("AUTH " + a.mechanism().saslName() + " " + initialResponse(a));
      reply = d.readLine();
      if (reply != null && reply.startsWith("+ ")) {
        s.challenge = Optional.of(decode(reply.substring(2)));
        d.send("AQ==");
        reply = d.readLine();
      }
    }
    s.loggedIn = reply != null && reply.startsWith("+OK");
    if (!s.loggedIn) {
      logOutAfterRefusal(d, "QUIT");
      return s;
    }
    d.send("STAT");
    StringBuilder listing = new StringBuilder(d.readLine()).append('\n');
    d.send("LIST");
    for (byte[] line : multiline(d)) {
      listing.append(new String(line, StandardCharsets.UTF_8));
    }
    s.listing = listing.toString();
    d.send("RETR 1");
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    for (byte[] line : multiline(d)) {
      // RFC 1939 §3: a line starting with "." was byte-stuffed.
      message.write(line, line.length > 0 && line[0] == '.' ? 1 : 0, line.length > 0 && line[0] == '.'
          ? line.length - 1 : line.length);
    }
    s.fetched = message.toByteArray();
    d.send("QUIT");
    d.readLine();
    return s;
  }

  /**
   * Ends a session whose login was refused: s_client -quiet ignores the end of its input, so only the server's close
   * ends it. A refusal without Auth-Wait has closed the connection already (and s_client with it): then the command
   * finds no reader.
   */
  private static void logOutAfterRefusal(ProcessDialogue d, String command) throws InterruptedException {
    try {
      d.send(command);
      d.readLine();
    } catch (IOException closedAlready) {
      // the server closed first
    }
  }

  /** The lines of a POP3 multi-line reply after its {@code +OK} line, up to the terminating ".". */
  private static List<byte[]> multiline(ProcessDialogue d) throws Exception {
    List<byte[]> lines = new ArrayList<>();
    String status = d.readLine();
    if (status == null || !status.startsWith("+OK")) {
      throw new IOException("expected +OK, got " + status);
    }
    byte[] raw;
    while ((raw = d.readRawLine()) != null && !new String(raw, StandardCharsets.UTF_8).equals(".\r\n")) {
      lines.add(raw);
    }
    return lines;
  }

  private static void ehlo(ProcessDialogue d) throws Exception {
    d.send("EHLO openssl.mailgate.test");
    smtpReply(d);
  }

  private static boolean smtp(ProcessDialogue d, String command, String expected) throws Exception {
    d.send(command);
    return smtpReply(d).startsWith(expected);
  }

  /** The last line of a (possibly multi-line, RFC 5321 §4.2.1) SMTP reply. */
  private static String smtpReply(ProcessDialogue d) throws Exception {
    String line;
    do {
      line = d.readLine();
    } while (line != null && line.length() > 3 && line.charAt(3) == '-');
    return line == null ? "" : line;
  }

  private ProcessDialogue open(Attempt a) throws IOException {
    List<String> command = new ArrayList<>(List.of(binary.orElseThrow().toString(), "s_client", "-quiet",
        "-connect", Endpoint.HOST + ":" + a.port(), "-CAfile", a.endpoint().caCertificate().toString(),
        "-verify_return_error", "-verify_ip", Endpoint.HOST));
    if (a.transport() == Transport.STARTTLS) {
      command.addAll(List.of("-starttls", a.protocol().scheme()));
    }
    return new ProcessDialogue(command, Files.createTempFile(workDir, "s_client", ".err"), LINE_LIMIT);
  }

  private static String initialResponse(Attempt a) {
    String response = a.mechanism() == Mechanism.OAUTHBEARER
        ? "n,a=" + a.user() + ",\u0001auth=Bearer " + a.secret() + "\u0001\u0001"
        : "\0" + a.user() + "\0" + a.secret();
    return Base64.getEncoder().encodeToString(response.getBytes(StandardCharsets.UTF_8));
  }

  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String decode(String base64) {
    try {
      return new String(Base64.getDecoder().decode(base64.strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return base64;
    }
  }

  /** RFC 5321 §4.5.2: a line starting with "." gets another. */
  private static byte[] dotStuffed(byte[] message) {
    String text = new String(message, StandardCharsets.UTF_8);
    String stuffed = (text.startsWith(".") ? "." : "") + text.replace("\r\n.", "\r\n..");
    return stuffed.getBytes(StandardCharsets.UTF_8);
  }
}
