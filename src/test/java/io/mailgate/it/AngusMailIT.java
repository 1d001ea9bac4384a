package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.testkit.FakeImapBackend;
import io.mailgate.testkit.ImapProxyTestBase;
import jakarta.mail.Folder;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Properties;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A real IMAP client library (Angus Mail) logs in through mailgate, lists folders and opens INBOX. */
class AngusMailIT extends ImapProxyTestBase {

  private static final String USER = "test@example.com";

  /** Angus's protocol trace (authentication lines are suppressed by Angus itself, but named). */
  final ByteArrayOutputStream trace = new ByteArrayOutputStream();

  @Override
  protected FakeImapBackend newBackend() throws IOException {
    return FakeImapBackend.withMailbox();
  }

  @BeforeEach
  void start() throws Exception {
    fx.start("imap_auth plain login xoauth2;");
  }

  @Test
  void xoauth2LoginListsFoldersAndSendsTheTokenToTheAuthService() throws Exception {
    Properties props = properties();
    props.put("mail.imap.auth.mechanisms", "XOAUTH2");
    String token = "ya29.a0AfH6SMBx-token";
    assertThat(listFolders(props, token)).containsExactly("INBOX");
    assertThat(trace()).contains("AUTHENTICATE XOAUTH2");
    assertThat(fx.auth.requests()).hasSize(1);
    assertThat(fx.auth.requests().get(0).header("Auth-Method")).isEqualTo("xoauth2");
    assertThat(fx.auth.requests().get(0).header("Auth-User")).isEqualTo(USER);
    assertThat(fx.auth.requests().get(0).header("Auth-Pass")).isEqualTo(token);
    assertThat(fx.backend.received().get(0)).endsWith(USER + " {" + token.length() + "}\r\n" + token);
    assertThat(fx.backend.received()).anyMatch(line -> line.contains(" LIST "));
  }

  @Test
  void plainLoginListsFoldersAndOpensInbox() throws Exception {
    Properties props = properties();
    props.put("mail.imap.auth.mechanisms", "PLAIN");
    Store store = session(props).getStore("imap");
    store.connect("127.0.0.1", fx.port(), USER, "secret");
    try {
      assertThat(names(store.getDefaultFolder().list("*"))).containsExactly("INBOX");
      Folder inbox = store.getFolder("INBOX");
      inbox.open(Folder.READ_ONLY);
      assertThat(inbox.getMessageCount()).isZero();
      inbox.close(false);
    } finally {
      store.close();
    }
    assertThat(trace()).contains("AUTHENTICATE PLAIN");
    assertThat(fx.auth.requests().get(0).header("Auth-Method")).isEqualTo("plain");
    assertThat(fx.auth.requests().get(0).header("Auth-Pass")).isEqualTo("secret");
    assertThat(fx.backend.received()).anyMatch(line -> line.contains(" EXAMINE INBOX"));
  }

  @Test
  void saslLoginMechanismListsFolders() throws Exception {
    Properties props = properties();
    props.put("mail.imap.auth.mechanisms", "LOGIN");
    assertThat(listFolders(props, "secret")).containsExactly("INBOX");
    assertThat(trace()).contains("AUTHENTICATE LOGIN");
    assertThat(fx.auth.requests().get(0).header("Auth-User")).isEqualTo(USER);
    assertThat(fx.auth.requests().get(0).header("Auth-Pass")).isEqualTo("secret");
  }

  @Test
  void theLoginCommandListsFolders() throws Exception {
    Properties props = properties();
    // No SASL mechanism left: Angus falls back to the IMAP LOGIN command.
    props.put("mail.imap.auth.mechanisms", "");
    props.put("mail.imap.auth.plain.disable", "true");
    props.put("mail.imap.auth.login.disable", "true");
    assertThat(listFolders(props, "secret")).containsExactly("INBOX");
    assertThat(trace()).doesNotContain("AUTHENTICATE").contains("LOGIN command");
    assertThat(fx.auth.requests().get(0).header("Auth-Method")).isEqualTo("plain");
    assertThat(fx.auth.requests().get(0).header("Auth-Pass")).isEqualTo("secret");
  }

  private Properties properties() {
    Properties props = new Properties();
    props.put("mail.imap.connectiontimeout", "5000");
    props.put("mail.imap.timeout", "5000");
    props.put("mail.imap.writetimeout", "5000");
    return props;
  }

  private String[] listFolders(Properties props, String password) throws Exception {
    Store store = session(props).getStore("imap");
    store.connect("127.0.0.1", fx.port(), USER, password);
    try {
      return names(store.getDefaultFolder().list("*"));
    } finally {
      store.close();
    }
  }

  private Session session(Properties props) {
    Session session = Session.getInstance(props);
    session.setDebugOut(new PrintStream(trace, true, StandardCharsets.UTF_8));
    session.setDebug(true);
    return session;
  }

  private String trace() {
    return trace.toString(StandardCharsets.UTF_8);
  }

  private static String[] names(Folder[] folders) {
    return Arrays.stream(folders).map(Folder::getFullName).toArray(String[]::new);
  }
}
