package io.mailgate.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo store against real clients: curl (as the README's quick start uses it) and Python's imaplib. */
class DemoMailStoreClientsTest {

  private static final String USER = DemoMailStoreTest.USER;
  private static final String PASSWORD = DemoMailStoreTest.PASSWORD;

  private static EventLoopGroup group;
  private static DemoMailStore store;

  @TempDir
  Path work;

  @BeforeAll
  static void start() throws IOException {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    store = DemoMailStore.start(group, NioServerSocketChannel.class, new InetSocketAddress("127.0.0.1", 0),
        Map.of(USER, PASSWORD, "bob", "p\"w\\d x"),
        List.of(DemoMailStoreTest.MESSAGE_1, DemoMailStoreTest.MESSAGE_2), Optional.of("good-token"::equals));
  }

  @AfterAll
  static void stop() {
    store.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void curlListsTheInbox() throws Exception {
    ExternalTool.Result result = curl("imap://127.0.0.1:" + store.port() + "/", "-u", USER + ":" + PASSWORD);
    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.text()).isEqualTo("* LIST (\\HasNoChildren) \"/\" INBOX\r\n");
  }

  @Test
  void curlReadsEachMessageByteForByte() throws Exception {
    for (int uid = 1; uid <= 2; uid++) {
      ExternalTool.Result result =
          curl("imap://127.0.0.1:" + store.port() + "/INBOX;UID=" + uid, "-u", USER + ":" + PASSWORD);
      assertThat(result.exitCode()).as(result.describe()).isZero();
      assertThat(result.stdout()).isEqualTo(uid == 1 ? DemoMailStoreTest.MESSAGE_1 : DemoMailStoreTest.MESSAGE_2);
    }
  }

  @Test
  void curlWithAWrongPasswordIsDeniedLogin() throws Exception {
    ExternalTool.Result result = curl("imap://127.0.0.1:" + store.port() + "/", "-u", USER + ":wrong");
    // CURLE_LOGIN_DENIED
    assertThat(result.exitCode()).as(result.describe()).isEqualTo(67);
    assertThat(result.stdout()).isEmpty();
  }

  @Test
  void curlLogsInWithABearerToken() throws Exception {
    ExternalTool.Result good = curl("imap://127.0.0.1:" + store.port() + "/INBOX;UID=1", "-u", USER + ":",
        "--oauth2-bearer", "good-token");
    assertThat(good.exitCode()).as(good.describe()).isZero();
    assertThat(good.stdout()).isEqualTo(DemoMailStoreTest.MESSAGE_1);
    ExternalTool.Result bad = curl("imap://127.0.0.1:" + store.port() + "/INBOX;UID=1", "-u", USER + ":",
        "--oauth2-bearer", "bad-token");
    assertThat(bad.exitCode()).as(bad.describe()).isEqualTo(67);
  }

  @Test
  void pythonImaplibLogsInSearchesAndFetches() throws Exception {
    String script = String.join("\n",
        "import imaplib, sys",
        "m = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))",
        "m.login(sys.argv[2], sys.argv[3])",
        "typ, data = m.select('INBOX')",
        "assert typ == 'OK' and data == [b'2'], (typ, data)",
        "typ, data = m.search(None, 'ALL')",
        "assert typ == 'OK' and data == [b'1 2'], (typ, data)",
        "typ, data = m.list()",
        "assert data == [b'(\\\\HasNoChildren) \"/\" INBOX'], data",
        "typ, data = m.uid('fetch', '1', '(RFC822.SIZE BODY.PEEK[])')",
        "assert typ == 'OK', typ",
        "sys.stdout.buffer.write(data[0][1])",
        "typ, data = m.fetch('2', '(RFC822)')",
        "assert typ == 'OK', typ",
        "sys.stdout.buffer.write(data[0][1])",
        "m.close()",
        "m.logout()");
    ExternalTool.Result result = python(script, String.valueOf(store.port()), "bob", "p\"w\\d x");
    assertThat(result.exitCode()).as(result.describe()).isZero();
    byte[] expected = new byte[DemoMailStoreTest.MESSAGE_1.length + DemoMailStoreTest.MESSAGE_2.length];
    System.arraycopy(DemoMailStoreTest.MESSAGE_1, 0, expected, 0, DemoMailStoreTest.MESSAGE_1.length);
    System.arraycopy(DemoMailStoreTest.MESSAGE_2, 0, expected, DemoMailStoreTest.MESSAGE_1.length,
        DemoMailStoreTest.MESSAGE_2.length);
    assertThat(result.stdout()).isEqualTo(expected);
  }

  @Test
  void pythonImaplibAuthenticatesWithPlainAndIsRefusedAWrongPassword() throws Exception {
    String script = String.join("\n",
        "import imaplib, sys",
        "m = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))",
        "assert 'AUTH=PLAIN' in m.capabilities, m.capabilities",
        "try:",
        "    m.login(sys.argv[2], 'wrong')",
        "    sys.exit('wrong password accepted')",
        "except imaplib.IMAP4.error:",
        "    pass",
        "typ, data = m.authenticate('PLAIN', lambda _: ('\\0' + sys.argv[2] + '\\0' + sys.argv[3]).encode())",
        "assert typ == 'OK', (typ, data)",
        "print(m.select('INBOX', readonly=True)[0])",
        "m.logout()");
    ExternalTool.Result result = python(script, String.valueOf(store.port()), USER, PASSWORD);
    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.text()).isEqualTo("OK\n");
  }

  private ExternalTool.Result curl(String... args) throws IOException, InterruptedException {
    Optional<Path> binary = ExternalTool.find("curl");
    assumeTrue(binary.isPresent() || ExternalTool.required(), "curl is not installed");
    List<String> command = new ArrayList<>(List.of(binary.map(Path::toString).orElse("curl"), "-s", "--max-time",
        "20"));
    command.addAll(List.of(args));
    return ExternalTool.run(work, command);
  }

  private ExternalTool.Result python(String script, String... args) throws IOException, InterruptedException {
    Optional<Path> binary = ExternalTool.find("python3");
    assumeTrue(binary.isPresent() || ExternalTool.required(), "python3 is not installed");
    List<String> command = new ArrayList<>(List.of(binary.map(Path::toString).orElse("python3"), "-c", script));
    command.addAll(List.of(args));
    return ExternalTool.run(work, command);
  }
}
