package io.mailgate.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An IMAP backend on loopback, like nginx-tests' IMAP daemon: greets, accepts any LOGIN (literals answered with
 * {@code +}), answers other tagged commands {@code OK}, and records every logical line it received (literals joined
 * in) in {@link #received()}. A LOGIN whose line contains "capability" is answered with an untagged CAPABILITY line
 * first; a user "reject" gets {@code NO}. {@code XBIG n} is answered with an n-byte literal. A null greeting makes a
 * backend that accepts connections but never speaks. {@link #withMailbox()} makes one that also answers CAPABILITY,
 * LIST, LSUB, SELECT and EXAMINE with the untagged data a real client library expects.
 * {@link #acceptToken} makes it accept {@code AUTHENTICATE XOAUTH2}/{@code OAUTHBEARER} (with or without an initial
 * response) carrying that bearer token only, refusing any other with {@code NO}, after an RFC 7628 error challenge
 * when {@link #errorChallenge} is set. {@link #refusingId} makes it a server without RFC 2971 ID, answering it
 * {@code BAD}.
 */
public final class FakeImapBackend extends FakeLineBackend<FakeImapBackend> {

  private static final Pattern LITERAL = Pattern.compile("\\{(\\d+)(\\+?)\\}$");

  private final String greeting;
  private final boolean mailbox;
  private volatile boolean refusingId;

  /** A backend with nginx-tests' greeting. */
  public FakeImapBackend() throws IOException {
    this("* OK fake ready");
  }

  /** A backend with the given greeting line; null: never greets. */
  public FakeImapBackend(String greeting) throws IOException {
    this(greeting, false);
  }

  private FakeImapBackend(String greeting, boolean mailbox) throws IOException {
    this.greeting = greeting;
    this.mailbox = mailbox;
    listen("fake-imap", StandardCharsets.ISO_8859_1);
  }

  /** Answers {@code ID} with {@code BAD}, as a server that does not know RFC 2971. */
  public FakeImapBackend refusingId() {
    this.refusingId = true;
    return this;
  }

  /** A backend with an INBOX, enough for a real IMAP client library to log in, list folders and log out. */
  public static FakeImapBackend withMailbox() throws IOException {
    return new FakeImapBackend("* OK fake ready", true);
  }

  @Override
  void serve(LineServer.Connection c) throws IOException {
    if (greeting == null) {
      // silent backend: swallow input until the proxy gives up
      c.timeout(10_000);
      c.swallowInput();
      return;
    }
    c.write(greeting + "\r\n");
    String text;
    while ((text = readCommand(c)) != null) {
      c.record(text);
      if (text.startsWith("PROXY ")) {
        // A PROXY protocol header from a proxy_protocol proxy: recorded, and not answered (HAProxy's spec).
        continue;
      }
      String tag = text.split(" ", 2)[0];
      String upper = text.toUpperCase(Locale.ROOT);
      if (refusingId && upper.startsWith(tag.toUpperCase(Locale.ROOT) + " ID ")) {
        c.write(tag + " BAD Error in IMAP command ID: Unknown command.\r\n");
      } else if (acceptsTokens() && upper.startsWith(tag.toUpperCase(Locale.ROOT) + " AUTHENTICATE ")) {
        Outcome outcome = bearerExchange(c, text, 3, "+ ");
        if (outcome == Outcome.PROXY_GONE) {
          return;
        }
        c.write(outcome == Outcome.ACCEPTED
            ? tag + " OK AUTHENTICATE completed\r\n"
            : tag + " NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
      } else if (upper.startsWith(tag.toUpperCase(Locale.ROOT) + " LOGIN")) {
        if (text.contains("reject")) {
          c.write(tag + " NO [AUTHENTICATIONFAILED] rejected\r\n");
          continue;
        }
        if (text.contains("capability")) {
          c.write("* CAPABILITY IMAP4rev1 FAKE\r\n");
        }
        c.write(tag + " OK LOGIN completed\r\n");
      } else if (upper.contains(" LOGOUT")) {
        c.write("* BYE fake logging out\r\n" + tag + " OK LOGOUT completed\r\n");
        return;
      } else if (upper.startsWith(tag.toUpperCase(Locale.ROOT) + " XBIG ")) {
        // Test command "XBIG n": n bytes of data towards the client, to exercise the relay's backpressure.
        int n = Integer.parseInt(text.substring(tag.length() + 6).trim());
        c.write("* XBIG {" + n + "}\r\n" + "x".repeat(n) + "\r\n" + tag + " OK XBIG completed\r\n");
      } else if (!mailbox || !answerMailboxCommand(c, tag, upper.substring(tag.length()).trim())) {
        c.write(tag + " OK " + text.substring(tag.length()).trim().split(" ")[0] + " completed\r\n");
      }
    }
  }

  /**
   * One logical command with its literals joined in (RFC 3501 §4.3), a synchronizing literal answered with {@code +}
   * before its bytes are read; null when the proxy went away.
   */
  private static String readCommand(LineServer.Connection c) throws IOException {
    StringBuilder command = new StringBuilder();
    while (true) {
      String line = c.readLine();
      if (line == null) {
        return null;
      }
      command.append(line);
      Matcher m = LITERAL.matcher(line);
      if (!m.find()) {
        return command.toString();
      }
      int n = Integer.parseInt(m.group(1));
      if (m.group(2).isEmpty()) {
        c.write("+ go ahead\r\n");
      }
      command.append("\r\n").append(c.readBytes(n));
    }
  }

  /** Mailbox mode: the untagged data and tagged OK of the commands a client library sends; false if not one. */
  private static boolean answerMailboxCommand(LineServer.Connection c, String tag, String upperCommand)
      throws IOException {
    String name = upperCommand.split(" ", 2)[0];
    switch (name) {
      case "CAPABILITY":
        c.write("* CAPABILITY IMAP4rev1 AUTH=XOAUTH2 AUTH=PLAIN\r\n" + tag + " OK CAPABILITY completed\r\n");
        return true;
      case "LIST":
      case "LSUB":
        c.write("* " + name + " (\\HasNoChildren) \"/\" INBOX\r\n" + tag + " OK " + name + " completed\r\n");
        return true;
      case "SELECT":
      case "EXAMINE":
        c.write("* FLAGS (\\Seen \\Deleted)\r\n* 0 EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 1] UIDs valid\r\n"
            + tag + " OK [READ-WRITE] " + name + " completed\r\n");
        return true;
      default:
        return false;
    }
  }
}
