package io.mailgate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.mailgate.testkit.CurlClient;
import io.mailgate.testkit.FakeAuthServer;
import io.mailgate.testkit.FakePop3Backend;
import io.mailgate.testkit.Pop3ProxyTestBase;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real POP3 clients through mailgate to {@link FakePop3Backend}: Python's poplib (USER/PASS, APOP, AUTH through its
 * low-level calls, since poplib has no AUTH helper) and curl's {@code pop3://} (SASL with a password, CRAM-MD5, APOP and
 * OAuth bearer tokens), each listing or retrieving the message byte for byte. The auth service really checks the
 * APOP and CRAM-MD5 digests against the {@code Auth-Salt} it is sent.
 */
class Pop3ClientsIT extends Pop3ProxyTestBase {

  private static final String USER = "test@example.com";
  private static final Duration LIMIT = Duration.ofSeconds(30);
  private static final String SIZE = Integer.toString(FakePop3Backend.MESSAGE.length());

  /** poplib driven one way per mode; prints key=value lines, the message as hex. */
  private static final String POPLIB_SCRIPT = String.join("\n",
      "import base64, binascii, poplib, sys",
      "port, mode = int(sys.argv[1]), sys.argv[2]",
      "p = poplib.POP3('127.0.0.1', port, timeout=10)",
      "print('greeting=' + p.getwelcome().decode('latin-1'))",
      "print('sasl=' + ' '.join(p.capa().get('SASL', [])))",
      "if mode == 'user':",
      "    print('user=' + p.user('test@example.com').decode())",
      "    print('login=' + p.pass_('secret').decode())",
      "elif mode == 'apop':",
      "    print('login=' + p.apop('test@example.com', 'secret').decode())",
      "elif mode == 'auth-plain':",
      "    ir = base64.b64encode(b'\\0test@example.com\\0secret').decode()",
      "    print('login=' + p._shortcmd('AUTH PLAIN ' + ir).decode())",
      "elif mode == 'auth-oauthbearer':",
      "    print('challenge=' + p._shortcmd('AUTH OAUTHBEARER').decode())",
      "    token = base64.b64encode(b'n,a=test@example.com,\\x01auth=Bearer secretok\\x01\\x01').decode()",
      "    p._putcmd(token)",
      "    print('login=' + p._getresp().decode())",
      "count, size = p.stat()",
      "print('stat=%d %d' % (count, size))",
      "resp, lines, octets = p.retr(1)",
      "print('retr=' + binascii.hexlify(b'\\r\\n'.join(lines) + b'\\r\\n').decode())",
      "print('quit=' + p.quit().decode())",
      "");

  /** Scripts the fixture the base made just before (JUnit runs a superclass's @BeforeEach first). */
  @BeforeEach
  void scriptTheAuthService() {
    fx.auth.respondWith(this::verify);
  }

  /** An auth service that checks what a real one would: password, APOP/CRAM-MD5 digests over the salt, the token. */
  private String verify(FakeAuthServer.Request r) {
    String method = r.header("Auth-Method");
    String pass = r.header("Auth-Pass");
    String salt = r.header("Auth-Salt");
    if (!USER.equals(r.header("Auth-User"))) {
      return FakeAuthServer.fail("unknown user");
    }
    boolean ok;
    switch (method) {
      case "plain":
        ok = "secret".equals(pass);
        break;
      case "apop":
        ok = salt != null && md5Hex(salt + "secret").equals(pass);
        break;
      case "cram-md5":
        ok = salt != null && hmacMd5Hex("secret", salt).equals(pass);
        break;
      case "oauthbearer":
      case "xoauth2":
        ok = "secretok".equals(pass);
        break;
      default:
        ok = false;
    }
    return ok ? FakeAuthServer.ok(fx.backend.port(), "Auth-Pass: secret") : FakeAuthServer.fail("auth failed");
  }

  private Map<String, String> poplib(String mode) throws Exception {
    Path python = Path.of("/usr/bin/python3");
    assumeThat(Files.isExecutable(python)).as("python3").isTrue();
    Path script = dir.resolve("pop.py");
    Files.writeString(script, POPLIB_SCRIPT);
    Path out = dir.resolve("pop-" + mode + ".out");
    Path err = dir.resolve("pop-" + mode + ".err");
    Process process = new ProcessBuilder(python.toString(), script.toString(), Integer.toString(fx.port()), mode)
        .redirectOutput(out.toFile()).redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    if (!process.waitFor(LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    String stderr = Files.readString(err);
    assertThat(process.exitValue()).as(stderr).isZero();
    Map<String, String> values = new HashMap<>();
    for (String line : Files.readAllLines(out, StandardCharsets.ISO_8859_1)) {
      int eq = line.indexOf('=');
      values.put(line.substring(0, eq), line.substring(eq + 1));
    }
    return values;
  }

  private void assertPoplibRetrievedTheMessage(Map<String, String> result) {
    assertThat(result.get("stat")).isEqualTo("1 " + SIZE);
    assertThat(new String(HexFormat.of().parseHex(result.get("retr")), StandardCharsets.ISO_8859_1))
        .isEqualTo(FakePop3Backend.MESSAGE);
    assertThat(result.get("quit")).isEqualTo("+OK quit ok");
  }

  @Test
  void poplibLogsInWithUserAndPass() throws Exception {
    fx.start("");
    Map<String, String> result = poplib("user");
    assertThat(result.get("greeting")).isEqualTo("+OK POP3 ready");
    assertThat(result.get("sasl")).isEqualTo("PLAIN LOGIN");
    assertThat(result.get("user")).isEqualTo("+OK");
    assertThat(result.get("login")).isEqualTo("+OK pass ok");
    assertPoplibRetrievedTheMessage(result);
    assertThat(fx.backend.received()).containsExactly("USER " + USER, "PASS secret", "STAT", "RETR 1", "QUIT");
  }

  @Test
  void poplibLogsInWithApopOverTheGreetingTimestamp() throws Exception {
    fx.start("pop3_auth plain apop;");
    Map<String, String> result = poplib("apop");
    assertThat(result.get("greeting")).matches("\\+OK POP3 ready <\\d+\\.\\d+@.+>");
    assertThat(result.get("login")).isEqualTo("+OK pass ok");
    assertPoplibRetrievedTheMessage(result);
    assertThat(fx.auth.requests().get(0).header("Auth-Method")).isEqualTo("apop");
  }

  @Test
  void poplibLogsInWithAuthPlainAndAnInitialResponse() throws Exception {
    fx.start("");
    Map<String, String> result = poplib("auth-plain");
    assertThat(result.get("login")).isEqualTo("+OK pass ok");
    assertPoplibRetrievedTheMessage(result);
  }

  @Test
  void poplibLogsInWithAuthOauthbearerAfterTheEmptyChallenge() throws Exception {
    fx.start("pop3_auth plain oauthbearer;");
    Map<String, String> result = poplib("auth-oauthbearer");
    assertThat(result.get("sasl")).isEqualTo("PLAIN LOGIN OAUTHBEARER");
    assertThat(result.get("challenge")).isEqualTo("+ ");
    assertThat(result.get("login")).isEqualTo("+OK pass ok");
    assertPoplibRetrievedTheMessage(result);
  }

  private CurlClient curl() {
    Optional<Path> binary = CurlClient.binary();
    assumeThat(binary).as("curl").isPresent();
    return new CurlClient(binary.get(), dir);
  }

  private CurlClient.Result curl(String... args) throws Exception {
    List<String> all = new java.util.ArrayList<>(List.of("-sS", "--max-time", "15"));
    all.addAll(List.of(args));
    return curl().run(LIMIT, all.toArray(String[]::new));
  }

  private String url(String path) {
    return "pop3://127.0.0.1:" + fx.port() + "/" + path;
  }

  @Test
  void curlListsTheMaildropWithAPassword() throws Exception {
    fx.start("");
    CurlClient.Result result = curl("-u", USER + ":secret", url(""));
    assertThat(result.exitCode()).as(result::describe).isZero();
    assertThat(result.text()).isEqualTo("1 " + SIZE + "\r\n");
    assertThat(fx.auth.requests()).hasSize(1);
    assertThat(fx.backend.received()).containsExactly("USER " + USER, "PASS secret", "LIST", "QUIT");
  }

  @Test
  void curlRetrievesTheMessageByteForByte() throws Exception {
    fx.start("");
    CurlClient.Result result = curl("-u", USER + ":secret", url("1"));
    assertThat(result.exitCode()).as(result::describe).isZero();
    assertThat(result.stdout()).isEqualTo(FakePop3Backend.MESSAGE.getBytes(StandardCharsets.ISO_8859_1));
    assertThat(fx.backend.received()).contains("RETR 1");
  }

  @Test
  void curlLogsInWithCramMd5WhenItIsAdvertised() throws Exception {
    fx.start("pop3_auth plain cram-md5;");
    CurlClient.Result result = curl("-u", USER + ":secret", url("1"));
    assertThat(result.exitCode()).as(result::describe).isZero();
    assertThat(result.stdout()).isEqualTo(FakePop3Backend.MESSAGE.getBytes(StandardCharsets.ISO_8859_1));
    assertThat(fx.auth.requests().get(0).header("Auth-Method")).isEqualTo("cram-md5");
  }

  @Test
  void curlLogsInWithApop() throws Exception {
    fx.start("pop3_auth apop;");
    CurlClient.Result result = curl("-u", USER + ":secret", "--login-options", "AUTH=+APOP", url(""));
    assertThat(result.exitCode()).as(result::describe).isZero();
    assertThat(result.text()).isEqualTo("1 " + SIZE + "\r\n");
    assertThat(fx.auth.requests().get(0).header("Auth-Method")).isEqualTo("apop");
  }

  @Test
  void curlWithAWrongPasswordIsDeniedAndNeverReachesTheBackend() throws Exception {
    fx.start("");
    CurlClient.Result result = curl("-u", USER + ":wrong", url(""));
    assertThat(result.exitCode()).as(result::describe).isEqualTo(CurlClient.LOGIN_DENIED);
    assertThat(fx.backend.received()).isEmpty();
  }

  @Test
  void curlLogsInWithAnOauthBearerToken() throws Exception {
    fx.start("pop3_auth plain xoauth2 oauthbearer;");
    CurlClient.Result result = curl("-u", USER + ":", "--oauth2-bearer", "secretok", url("1"));
    assertThat(result.exitCode()).as(result::describe).isZero();
    assertThat(result.stdout()).isEqualTo(FakePop3Backend.MESSAGE.getBytes(StandardCharsets.ISO_8859_1));
    assertThat(fx.auth.requests().get(0).header("Auth-Method")).isEqualTo("oauthbearer");
  }

  @Test
  void curlLogsInWithXoauth2AndAnInitialResponse() throws Exception {
    fx.start("pop3_auth plain xoauth2;");
    CurlClient.Result result = curl("-u", USER + ":", "--oauth2-bearer", "secretok", "--sasl-ir", url(""));
    assertThat(result.exitCode()).as(result::describe).isZero();
    assertThat(result.text()).isEqualTo("1 " + SIZE + "\r\n");
    assertThat(fx.auth.requests().get(0).header("Auth-Method")).isEqualTo("xoauth2");
  }

  private static String md5Hex(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static String hmacMd5Hex(String key, String text) {
    try {
      Mac mac = Mac.getInstance("HmacMD5");
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacMD5"));
      return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }
}
