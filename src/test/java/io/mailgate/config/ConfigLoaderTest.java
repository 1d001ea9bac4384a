package io.mailgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailgate.sasl.Mechanism;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {

  /** The configuration of nginx-tests' mail_imap.t with its placeholders filled in. */
  private static final String MAIL_IMAP_T = String.join("\n",
      "",
      "pid /tmp/x.pid; error_log /tmp/e.log debug;",
      "",
      "daemon off;",
      "",
      "events {",
      "}",
      "",
      "mail {",
      "    proxy_pass_error_message  off;",
      "    proxy_timeout  15s;",
      "    auth_http  http://127.0.0.1:8080/mail/auth;",
      "",
      "    server {",
      "        listen     127.0.0.1:8143;",
      "        protocol   imap;",
      "        imap_auth  plain cram-md5 external;",
      "    }",
      "}",
      "",
      "http {",
      "    ",
      "",
      "    server {",
      "        listen       127.0.0.1:8080;",
      "        server_name  localhost;",
      "",
      "        location = /mail/auth {",
      "            set $reply ERROR;",
      "            set $passw \"\";",
      "",
      "            set $userpass \"$http_auth_user:$http_auth_pass\";",
      "            if ($userpass = 'test@example.com:secret') {",
      "                set $reply OK;",
      "            }",
      "            if ($userpass = 'te\\\\\"st@example.com:se\\\\\"cret') {",
      "                set $reply OK;",
      "            }",
      "            if ($userpass = 'capability@example.com:secret') {",
      "                set $reply OK;",
      "            }",
      "",
      "            set $userpass \"$http_auth_user:$http_auth_salt:$http_auth_pass\";",
      "            if ($userpass ~ '^test@example.com:<.*@.*>:0{32}$') {",
      "                set $reply OK;",
      "                set $passw secret;",
      "            }",
      "",
      "            set $userpass \"$http_auth_method:$http_auth_user:$http_auth_pass\";",
      "            if ($userpass = 'external:test@example.com:') {",
      "                set $reply OK;",
      "                set $passw secret;",
      "            }",
      "",
      "            add_header Auth-Status $reply;",
      "            add_header Auth-Server 127.0.0.1;",
      "            add_header Auth-Port 8144;",
      "            add_header Auth-Pass $passw;",
      "            add_header Auth-Wait 1;",
      "            return 204;",
      "        }",
      "    }",
      "}",
      "");

  private static final String AUTH = "auth_http 127.0.0.1:9000/auth;\n";

  @TempDir
  Path dir;

  private final List<String> notices = new ArrayList<>();

  private Path write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return file;
  }

  private MailgateConfig load(String text) throws Exception {
    return ConfigLoader.load(write("nginx.conf", text), dir, notices::add);
  }

  private String conf() {
    return dir.resolve("nginx.conf").toString();
  }

  private void assertFails(String text, String message) throws IOException {
    Path file = write("nginx.conf", text);
    assertThatThrownBy(() -> ConfigLoader.load(file, dir, notices::add))
        .isInstanceOf(ConfigException.class)
        .hasMessage(message);
  }

  private static String mail(String body) {
    return "mail {\n" + body + "\n}\n";
  }

  private static String server(String body) {
    return mail(AUTH + "server {\n" + body + "\n}");
  }

  /**
   * Found by ConfigLoaderFuzzTest: a NUL byte in a file name ({@code include "f\0"}) made {@code Path.resolve} throw
   * InvalidPathException out of the loader, so {@code -t} printed a stack trace instead of an {@code [emerg]} line.
   * Every directive that names a file now reports it at its line.
   */
  @Test
  void fileNameWithANulByteIsAnErrorAtItsLine() throws IOException {
    String why = " directive (Nul character not allowed) in " + conf() + ":";
    assertFails("include \"a\0b\";", "invalid path in \"include\"" + why + "1");
    assertFails("\npid \"a\0b\";", "invalid path in \"pid\"" + why + "2");
    assertFails("error_log \"a\0b\";", "invalid path in \"error_log\"" + why + "1");
    assertFails(server("ssl_certificate \"a\0b\"; ssl_certificate_key k.pem;"),
        "invalid path in \"ssl_certificate\"" + why + "4");
  }

  private ServerConfig onlyServer(String text) throws Exception {
    MailgateConfig config = load(text);
    assertThat(config.servers()).hasSize(1);
    return config.servers().get(0);
  }

  @Test
  void theMailImapTestConfigurationLoads() throws Exception {
    MailgateConfig config = load(MAIL_IMAP_T);

    assertThat(config.configFile()).isEqualTo(dir.resolve("nginx.conf"));
    assertThat(config.prefix()).isEqualTo(dir);
    assertThat(config.pidFile()).contains(Path.of("/tmp/x.pid"));
    assertThat(config.errorLog()).isEqualTo(new ErrorLogConfig(Optional.of(Path.of("/tmp/e.log")), LogLevel.DEBUG));
    assertThat(config.workerProcesses()).isEqualTo(1);
    assertThat(config.workerConnections()).isEqualTo(512);
    ServerConfig s = config.servers().get(0);
    assertThat(config.servers()).hasSize(1);
    assertThat(s.file()).isEqualTo(conf());
    assertThat(s.line()).isEqualTo(14);
    assertThat(s.protocol()).isEqualTo("imap");
    assertThat(s.listens()).extracting(ListenConfig::text).containsExactly("127.0.0.1:8143");
    assertThat(s.listens().get(0).address()).isEqualTo(new InetSocketAddress("127.0.0.1", 8143));
    assertThat(s.imap().auth()).containsExactlyInAnyOrder(Mechanism.PLAIN, Mechanism.CRAM_MD5, Mechanism.EXTERNAL);
    assertThat(s.proxyTimeout()).isEqualTo(Duration.ofSeconds(15));
    assertThat(s.proxyPassErrorMessage()).isFalse();
    assertThat(s.authHttp().orElseThrow().first().url()).isEqualTo("http://127.0.0.1:8080/mail/auth");
    assertThat(s.authHttp().orElseThrow().first().address()).isEqualTo(new InetSocketAddress("127.0.0.1", 8080));
    assertThat(s.authHttp().orElseThrow().first().hostHeader()).isEqualTo("127.0.0.1");
    assertThat(s.authHttp().orElseThrow().first().uri()).isEqualTo("/mail/auth");
    assertThat(notices).containsExactly("\"http\" directive is ignored");
  }

  @Test
  void aServerGetsNginxDefaultsForEverythingItDoesNotSet() throws Exception {
    ServerConfig s = onlyServer(server("listen 127.0.0.1:143;"));

    assertThat(s.serverName()).isEqualTo(HostName.local());
    assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(s.proxyTimeout()).isEqualTo(Duration.ofHours(24));
    assertThat(s.proxyBuffer()).isEqualTo(4096);
    assertThat(s.proxyPassErrorMessage()).isFalse();
    assertThat(s.maxErrors()).isEqualTo(5);
    assertThat(s.maxCommands()).isEqualTo(1000);
    assertThat(s.errorLog()).isEmpty();
    assertThat(s.oauthFastmailCompat()).isFalse();
    assertThat(s.authHttp().orElseThrow().headers()).isEmpty();
    assertThat(s.authHttp().orElseThrow().first().timeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(s.authHttp().orElseThrow().passClientCert()).isFalse();
    assertThat(s.authHttp().orElseThrow().keepalive()).isEqualTo(AuthHttpConfig.DEFAULT_KEEPALIVE);
    assertThat(s.imap()).isEqualTo(
        new ImapConfig(4096, Set.of(Mechanism.PLAIN), List.of("IMAP4", "IMAP4rev1", "UIDPLUS"), List.of()));
    assertThat(s.pop3()).isEqualTo(
        new Pop3Config(128, Set.of(Mechanism.PLAIN), List.of("TOP", "USER", "UIDL")));
    assertThat(s.smtp()).isEqualTo(new SmtpConfig(
        4096, Set.of(Mechanism.PLAIN, Mechanism.LOGIN), List.of(), Duration.ZERO, true, false));
    ListenConfig l = s.listens().get(0);
    assertThat(l.backlog()).isEqualTo(511);
    assertThat(l.rcvbuf()).isEmpty();
    assertThat(l.sndbuf()).isEmpty();
    assertThat(l.soKeepalive()).isEmpty();
    assertThat(l.ssl()).isFalse();
    assertThat(l.proxyProtocol()).isFalse();
  }

  @Test
  void serversInheritMailSettingsUnlessTheySetTheirOwn() throws Exception {
    MailgateConfig config = load(mail(String.join("\n",
        "timeout 30s;",
        "server_name mail.example.com;",
        "auth_http_header X-A 1;",
        "auth_http_header X-B 2;",
        "imap_auth plain login;",
        "imap_capabilities IMAP4rev1 \"SASL-IR\";",
        "error_log logs/mail.log info;",
        "max_errors 3;",
        "server { listen 127.0.0.1:8143; protocol imap; timeout 10s; auth_http_header X-C 3; imap_auth cram-md5;",
        "  imap_capabilities IDLE; imap_capabilities ID; error_log stderr warn; }",
        "server { listen 127.0.0.1:8144; protocol imap; }",
        "proxy_buffer 8k;",
        AUTH)));

    ServerConfig own = config.servers().get(0);
    ServerConfig inherits = config.servers().get(1);
    assertThat(own.timeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(inherits.timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(own.serverName()).isEqualTo("mail.example.com");
    assertThat(inherits.serverName()).isEqualTo("mail.example.com");
    assertThat(own.authHttp().orElseThrow().headers()).containsExactly(new AuthHttpConfig.HttpHeader("X-C", "3"));
    assertThat(inherits.authHttp().orElseThrow().headers()).containsExactly(
        new AuthHttpConfig.HttpHeader("X-A", "1"), new AuthHttpConfig.HttpHeader("X-B", "2"));
    assertThat(own.imap().auth()).containsExactly(Mechanism.CRAM_MD5);
    assertThat(inherits.imap().auth()).containsExactlyInAnyOrder(Mechanism.PLAIN, Mechanism.LOGIN);
    assertThat(own.imap().capabilities()).containsExactly("IDLE", "ID");
    assertThat(inherits.imap().capabilities()).containsExactly("IMAP4rev1", "SASL-IR");
    assertThat(own.errorLog()).contains(ErrorLogConfig.stderr(LogLevel.WARN));
    assertThat(inherits.errorLog()).contains(
        new ErrorLogConfig(Optional.of(dir.resolve("logs/mail.log")), LogLevel.INFO));
    assertThat(own.maxErrors()).isEqualTo(3);
    assertThat(own.proxyBuffer()).isEqualTo(8192);
    assertThat(inherits.proxyBuffer()).isEqualTo(8192);
    assertThat(inherits.authHttp().orElseThrow().first().uri()).isEqualTo("/auth");
  }

  @Test
  void everyMailAndServerSettingIsBound() throws Exception {
    ServerConfig s = onlyServer(server(String.join("\n",
        "listen 127.0.0.1:8025;",
        "protocol smtp;",
        "proxy_timeout 1h30m;",
        "proxy_pass_error_message on;",
        "auth_http_timeout 500ms;",
        "auth_http_pass_client_cert on;",
        "auth_http_keepalive 0;",
        "oauth_fastmail_compat on;",
        "imap_client_buffer 1k;",
        "pop3_client_buffer 512;",
        "pop3_auth apop xoauth2;",
        "pop3_capabilities TOP;",
        "smtp_client_buffer 2k;",
        "smtp_auth NONE oauthbearer;",
        "smtp_capabilities \"SIZE 10485760\" 8BITMIME;",
        "smtp_greeting_delay 2s;",
        "xclient off;",
        "proxy_smtp_auth on;",
        "starttls off;",
        "ssl off;")));

    assertThat(s.proxyTimeout()).isEqualTo(Duration.ofMinutes(90));
    assertThat(s.proxyPassErrorMessage()).isTrue();
    assertThat(s.authHttp().orElseThrow().first().timeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(s.authHttp().orElseThrow().passClientCert()).isTrue();
    assertThat(s.authHttp().orElseThrow().keepalive()).isZero();
    assertThat(s.oauthFastmailCompat()).isTrue();
    assertThat(s.imap().clientBuffer()).isEqualTo(1024);
    assertThat(s.pop3()).isEqualTo(
        new Pop3Config(512, Set.of(Mechanism.APOP, Mechanism.XOAUTH2), List.of("TOP")));
    assertThat(s.smtp()).isEqualTo(new SmtpConfig(2048, Set.of(Mechanism.NONE, Mechanism.OAUTHBEARER),
        List.of("SIZE 10485760", "8BITMIME"), Duration.ofSeconds(2), false, true));
  }

  @Test
  void mainAndEventsDirectivesAreBound() throws Exception {
    MailgateConfig config = load(String.join("\n",
        "worker_processes auto;",
        "pid off;",
        "error_log first.log;",
        "error_log stderr notice;",
        "daemon on;",
        "events { worker_connections 2048; }"));

    assertThat(config.workerProcesses()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(config.workerConnections()).isEqualTo(2048);
    assertThat(config.pidFile()).isEmpty();
    assertThat(config.errorLog().sinks()).containsExactly(
        new ErrorLogConfig.FileSink(dir.resolve("first.log"), LogLevel.ERROR),
        new ErrorLogConfig.StderrSink(LogLevel.NOTICE));
    assertThat(config.servers()).isEmpty();
    assertThat(notices).isEmpty();
  }

  @Test
  void relativePidAndErrorLogPathsResolveAgainstThePrefix() throws Exception {
    MailgateConfig config = load("worker_processes 3; pid run/m.pid; error_log logs/err.log crit;");

    assertThat(config.workerProcesses()).isEqualTo(3);
    assertThat(config.pidFile()).contains(dir.resolve("run/m.pid"));
    assertThat(config.errorLog())
        .isEqualTo(new ErrorLogConfig(Optional.of(dir.resolve("logs/err.log")), LogLevel.CRIT));
  }

  @Test
  void theDefaultErrorLogIsLogsErrorLogUnderThePrefixWhenThatFolderExists() throws Exception {
    Files.createDirectories(dir.resolve("logs"));

    MailgateConfig config = load("");

    assertThat(config.errorLog())
        .isEqualTo(new ErrorLogConfig(Optional.of(dir.resolve("logs/error.log")), LogLevel.ERROR));
    assertThat(config.pidFile()).contains(dir.resolve("logs/mailgate.pid"));
  }

  @Test
  void shutdownTimeoutDefaultsToTenSecondsAndTakesNginxsNameToo() throws Exception {
    assertThat(load("events {}").shutdownTimeout()).isEqualTo(java.time.Duration.ofSeconds(10));
    assertThat(load("shutdown_timeout 1m30s;\nevents {}").shutdownTimeout()).isEqualTo(java.time.Duration.ofSeconds(90));
    assertThat(load("worker_shutdown_timeout 500ms;\nevents {}").shutdownTimeout())
        .isEqualTo(java.time.Duration.ofMillis(500));
    assertThat(notices).isEmpty();
  }

  @Test
  void shutdownTimeoutMayBeSetOnceUnderEitherName() throws Exception {
    assertFails("shutdown_timeout 5s;\nworker_shutdown_timeout 6s;\nevents {}",
        "\"worker_shutdown_timeout\" directive is duplicate, \"shutdown_timeout\" is already set in " + conf() + ":2");
    assertFails("shutdown_timeout soon;\nevents {}",
        "invalid value \"soon\" in " + conf() + ":1");
    assertFails("mail { shutdown_timeout 5s; }",
        "\"shutdown_timeout\" directive is not allowed here in " + conf() + ":1");
  }

  @Test
  void theDefaultErrorLogFallsBackToStderrWithoutALogsFolder() throws Exception {
    MailgateConfig config = load("events {}");

    assertThat(config.errorLog()).isEqualTo(ErrorLogConfig.stderr(LogLevel.ERROR));
    assertThat(config.workerConnections()).isEqualTo(512);
  }

  @Test
  void memoryErrorLogsAreReportedAndSkipped() throws Exception {
    MailgateConfig config = load("error_log a.log info; error_log memory:32m debug;\n"
        + "error_log memory:1m;");

    assertThat(config.errorLog()).isEqualTo(new ErrorLogConfig(Optional.of(dir.resolve("a.log")), LogLevel.INFO));
    assertThat(notices).containsExactly("\"error_log memory:\" is not supported, that error_log is ignored");
  }

  @Test
  void aConfigWithAnEmptyMailBlockHasNoServers() throws Exception {
    assertThat(load("mail { auth_http localhost; }").servers()).isEmpty();
  }

  @Test
  void mainFileRelativeToTheWorkingDirectoryIsMadeAbsolute() throws Exception {
    write("nginx.conf", "events {}");
    Path relative = Path.of("").toAbsolutePath().relativize(dir.resolve("nginx.conf"));

    MailgateConfig config = ConfigLoader.load(relative, dir, notices::add);

    assertThat(config.configFile()).isEqualTo(dir.resolve("nginx.conf"));
  }

  // ---- includes

  /**
   * Found by ConfigLoaderFuzzTest: {@code include f[;} threw Java's PatternSyntaxException out of the loader. As in
   * glob(3), a "[" that is never closed stands for itself.
   */
  @Test
  void includeWithAnUnclosedBracketNamesItself() throws Exception {
    write("conf.d/f[.conf", "server { listen 127.0.0.1:8001; protocol imap; }");

    MailgateConfig config = load(mail(AUTH + "include conf.d/f[.conf;\ninclude conf.d/g[;"));

    assertThat(config.servers()).extracting(ServerConfig::protocol).containsExactly("imap");
  }

  @Test
  void globIncludesResolveAgainstTheMainFileFolderInSortedOrder() throws Exception {
    write("conf.d/b.conf", "server { listen 127.0.0.1:8002; protocol pop3; }");
    write("conf.d/a.conf", "server { listen 127.0.0.1:8001; protocol imap; include snippets/common.conf; }");
    write("conf.d/.hidden.conf", "this would not parse");
    write("conf.d/c.txt", "neither would this");
    write("snippets/common.conf", "timeout 5s;");

    MailgateConfig config = load(mail(AUTH + "include conf.d/*.conf;\ninclude none.d/*.conf;"));

    assertThat(config.servers()).extracting(ServerConfig::protocol).containsExactly("imap", "pop3");
    assertThat(config.servers().get(0).timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.servers().get(1).timeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.servers().get(0).file()).isEqualTo(dir.resolve("conf.d/a.conf").toString());
  }

  @Test
  void globsMayMatchFoldersInTheMiddleOfThePath() throws Exception {
    write("sites/one/mail.conf", "server { listen 127.0.0.1:8001; protocol imap; }");
    write("sites/two/mail.conf", "server { listen 127.0.0.1:8002; protocol smtp; }");

    MailgateConfig config = load(mail(AUTH + "include " + dir + "/sites/*/mail.conf;"));

    assertThat(config.servers()).extracting(ServerConfig::protocol).containsExactly("imap", "smtp");
  }

  @Test
  void aMissingPlainIncludeIsAnErrorAtTheIncludeLine() throws IOException {
    assertFails("events {}\ninclude missing.conf;\n",
        "open() \"" + dir.resolve("missing.conf") + "\" failed (2: No such file or directory) in " + conf() + ":2");
  }

  @Test
  void aMissingMainFileIsAnOpenError() {
    Path missing = dir.resolve("nope.conf");
    assertThatThrownBy(() -> ConfigLoader.load(missing, dir, notices::add))
        .isInstanceOf(ConfigException.class)
        .hasMessage("open() \"" + missing + "\" failed (2: No such file or directory)");
  }

  @Test
  void errorsInAnIncludedFileNameThatFile() throws IOException {
    Path inc = write("inc/bad.conf", "\n\nfoo bar;\n");
    assertFails("include inc/bad.conf;", "unknown directive \"foo\" in " + inc + ":3");
  }

  @Test
  void anIncludedFileMustBalanceItsOwnBraces() throws IOException {
    Path inc = write("inc/open.conf", "mail {\n");
    assertFails("include inc/open.conf;\n}", "unexpected end of file, expecting \"}\" in " + inc + ":2");
  }

  @Test
  void includeTakesExactlyOneArgumentAndNoBlock() throws IOException {
    assertFails("include a b;", "invalid number of arguments in \"include\" directive in " + conf() + ":1");
    assertFails("\ninclude a {}", "directive \"include\" is not terminated by \";\" in " + conf() + ":2");
  }

  @Test
  void anIncludeLoopIsReported() throws IOException {
    write("loop.conf", "include loop.conf;");
    assertFails("include loop.conf;",
        "include loop: \"" + dir.resolve("loop.conf") + "\" includes itself in " + dir.resolve("loop.conf") + ":1");
  }

  // ---- syntax and binding errors, each with file:line

  @Test
  void unknownDirective() throws IOException {
    assertFails("events {}\n\nfoo;", "unknown directive \"foo\" in " + conf() + ":3");
  }

  @Test
  void directiveInTheWrongContext() throws IOException {
    assertFails("events {}\nmail {\n  listen 127.0.0.1:8143;\n}", "\"listen\" directive is not allowed here in "
        + conf() + ":3");
  }

  @Test
  void duplicateDirectiveInOneBlock() throws IOException {
    assertFails(server("listen 127.0.0.1:8143;\ntimeout 1s;\ntimeout 2s;"),
        "\"timeout\" directive is duplicate in " + conf() + ":6");
  }

  @Test
  void duplicateMailBlock() throws IOException {
    assertFails("mail {}\nmail {}", "\"mail\" directive is duplicate in " + conf() + ":2");
  }

  @Test
  void invalidTimeValue() throws IOException {
    assertFails(server("listen 127.0.0.1:8143;\ntimeout xyz;"), "invalid value \"xyz\" in " + conf() + ":5");
  }

  @Test
  void invalidSizeValue() throws IOException {
    assertFails(mail("proxy_buffer 4x;"), "invalid value \"4x\" in " + conf() + ":2");
  }

  @Test
  void invalidNumberValue() throws IOException {
    assertFails("worker_processes many;", "invalid value \"many\" in " + conf() + ":1");
  }

  @Test
  void invalidAuthMechanismForTheProtocol() throws IOException {
    assertFails(mail("smtp_auth plain\n  apop;"), "invalid value \"apop\" in " + conf() + ":3");
  }

  @Test
  void authListedInSmtpCapabilitiesIsAnErrorBecauseItIsGenerated() throws IOException {
    assertFails(mail("smtp_capabilities SIZE\n  \"auth PLAIN\";"),
        "\"AUTH\" is generated and must not be listed in \"smtp_capabilities\" in " + conf() + ":3");
  }

  @Test
  void starttlsListedInSmtpCapabilitiesIsAnErrorBecauseItIsGenerated() throws IOException {
    assertFails(server("smtp_capabilities 8BITMIME STARTTLS;"),
        "\"STARTTLS\" is generated and must not be listed in \"smtp_capabilities\" in " + conf() + ":4");
  }

  @Test
  void smtpCapabilitiesThatMerelyStartLikeAuthAreAccepted() throws Exception {
    ServerConfig server = onlyServer(server("listen 127.0.0.1:2525; protocol smtp; smtp_capabilities AUTHX \"SIZE 100\";"));
    assertThat(server.smtp().capabilities()).containsExactly("AUTHX", "SIZE 100");
  }

  @Test
  void wrongNumberOfArguments() throws IOException {
    assertFails(server("listen;"), "invalid number of arguments in \"listen\" directive in " + conf() + ":4");
  }

  @Test
  void unclosedBlock() throws IOException {
    assertFails("mail {\n  server {\n", "unexpected end of file, expecting \"}\" in " + conf() + ":3");
  }

  @Test
  void strayClosingBrace() throws IOException {
    assertFails("events {}\n}", "unexpected \"}\" in " + conf() + ":2");
  }

  @Test
  void closingBraceAfterUnterminatedArguments() throws IOException {
    assertFails("mail {\n  timeout 5s\n}", "unexpected \"}\" in " + conf() + ":3");
  }

  @Test
  void unterminatedDirectiveAtEndOfFile() throws IOException {
    assertFails("worker_processes 1", "unexpected end of file, expecting \";\" or \"}\" in " + conf() + ":1");
  }

  @Test
  void semicolonWithoutDirective() throws IOException {
    assertFails("events {}\n;", "unexpected \";\" in " + conf() + ":2");
  }

  @Test
  void blockDirectiveWithoutBlock() throws IOException {
    assertFails("mail {\n  server;\n}", "directive \"server\" has no opening \"{\" in " + conf() + ":2");
  }

  @Test
  void simpleDirectiveWithABlock() throws IOException {
    assertFails("mail {\n  timeout 5s {}\n}", "directive \"timeout\" is not terminated by \";\" in " + conf() + ":2");
  }

  @Test
  void flagOtherThanOnOrOff() throws IOException {
    assertFails(mail("xclient yes;"),
        "invalid value \"yes\" in \"xclient\" directive, it must be \"on\" or \"off\" in " + conf() + ":2");
  }

  @Test
  void serverWithoutAuthHttpPointsAtTheServerDirective() throws IOException {
    assertFails("mail {\n\n  server {\n    listen 127.0.0.1:143;\n  }\n}",
        "no \"auth_http\" is defined for server in " + conf() + ":3");
  }

  @Test
  void serverWithoutListen() throws IOException {
    assertFails(mail(AUTH + "server {\n  protocol imap;\n}"), "no \"listen\" is defined for server in "
        + conf() + ":3");
  }

  @Test
  void unknownProtocolName() throws IOException {
    assertFails(server("listen 127.0.0.1:8143;\nprotocol nntp;"), "unknown protocol \"nntp\" in " + conf() + ":5");
  }

  @Test
  void duplicateListenAcrossServers() throws IOException {
    assertFails(mail(AUTH + "server { listen 127.0.0.1:8143; }\nserver {\n listen 127.0.0.1:8143; }"),
        "duplicate \"127.0.0.1:8143\" address and port pair in " + conf() + ":5");
  }

  @Test
  void unknownListenParameter() throws IOException {
    assertFails(server("listen 127.0.0.1:8143 reuseport;"), "invalid parameter \"reuseport\" in " + conf() + ":4");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "127.0.0.1:0        | invalid port in \"127.0.0.1:0\" of the \"listen\" directive",
      "127.0.0.1:70000    | invalid port in \"127.0.0.1:70000\" of the \"listen\" directive",
      "127.0.0.1          | no port in \"127.0.0.1\" of the \"listen\" directive",
      "[::1]              | no port in \"[::1]\" of the \"listen\" directive",
      "[zz]:143           | invalid IPv6 address in \"[zz]:143\" of the \"listen\" directive",
      "unix:              | no path in the unix domain socket in \"unix:\" of the \"listen\" directive",
      "host.invalid:143   | host not found in \"host.invalid:143\" of the \"listen\" directive",
      "'143 backlog=0'    | invalid backlog \"backlog=0\"",
      "'143 rcvbuf=x'     | invalid rcvbuf \"rcvbuf=x\"",
      "'143 sndbuf=1q'    | invalid sndbuf \"sndbuf=1q\"",
      "'143 so_keepalive=x' | invalid so_keepalive value: \"x\"",
      "'143 so_keepalive=::' | invalid so_keepalive value: \"::\"",
      "'143 ipv6only=maybe' | invalid ipv6only flags \"maybe\"",
  })
  void badListenValuesAreReported(String listen, String message) throws IOException {
    assertFails(server("listen " + listen + ";"), message + " in " + conf() + ":4");
  }

  // ---- listen forms

  @ParameterizedTest
  @CsvSource({
      "127.0.0.1:8143, 127.0.0.1:8143, 127.0.0.1",
      "8143, 0.0.0.0:8143, 0.0.0.0",
      "*:8143, 0.0.0.0:8143, 0.0.0.0",
      "[::1]:143, [::1]:143, ::1",
      "[::]:143, [::]:143, ::",
      "[0:0:0:0:0:0:0:1]:8143, [::1]:8143, ::1",
  })
  void listenAddressForms(String listen, String text, String ip) throws Exception {
    ServerConfig s = onlyServer(server("listen " + listen + "; protocol imap;"));

    ListenConfig l = s.listens().get(0);
    assertThat(l.text()).isEqualTo(text);
    InetSocketAddress a = (InetSocketAddress) l.address();
    assertThat(a.getAddress()).isEqualTo(InetAddress.getByName(ip));
    assertThat(a.getPort()).isEqualTo(Integer.parseInt(text.substring(text.lastIndexOf(':') + 1)));
  }

  @Test
  void listenOnAHostNameResolvesAtLoadTime() throws Exception {
    ServerConfig s = onlyServer(server("listen localhost:143;"));

    assertThat(s.listens()).isNotEmpty();
    for (ListenConfig l : s.listens()) {
      InetSocketAddress a = (InetSocketAddress) l.address();
      assertThat(a.isUnresolved()).isFalse();
      assertThat(a.getAddress().isLoopbackAddress()).isTrue();
      assertThat(a.getPort()).isEqualTo(143);
    }
    assertThat(s.protocol()).isEqualTo("imap");
  }

  @Test
  void listenOnAUnixSocket() throws Exception {
    ServerConfig s = onlyServer(server("listen unix:/tmp/mailgate.sock; protocol pop3;"));

    ListenConfig l = s.listens().get(0);
    assertThat(l.text()).isEqualTo("unix:/tmp/mailgate.sock");
    assertThat(((DomainSocketAddress) l.address()).path()).isEqualTo("/tmp/mailgate.sock");
  }

  @Test
  void listenParameters() throws Exception {
    ServerConfig s = onlyServer(server("listen 127.0.0.1:8143 bind backlog=64 rcvbuf=64k sndbuf=1m "
        + "so_keepalive=30m::10 proxy_protocol ipv6only=off; protocol imap;"));

    ListenConfig l = s.listens().get(0);
    assertThat(l.backlog()).isEqualTo(64);
    assertThat(l.rcvbuf()).hasValue(65536);
    assertThat(l.sndbuf()).hasValue(1048576);
    assertThat(l.proxyProtocol()).isTrue();
    assertThat(l.soKeepalive()).contains(
        new ListenConfig.KeepAlive(true, Optional.of(Duration.ofMinutes(30)), Optional.empty(), OptionalInt.of(10)));
  }

  @ParameterizedTest
  @CsvSource({"on, true", "off, false"})
  void soKeepaliveOnOrOff(String value, boolean on) throws Exception {
    ServerConfig s = onlyServer(server("listen 127.0.0.1:8143 so_keepalive=" + value + "; protocol imap;"));

    assertThat(s.listens().get(0).soKeepalive()).contains(
        new ListenConfig.KeepAlive(on, Optional.empty(), Optional.empty(), OptionalInt.empty()));
  }

  @Test
  void severalListensInOneServer() throws Exception {
    ServerConfig s = onlyServer(server("listen 127.0.0.1:8143;\nlisten [::1]:8143;\nprotocol imap;"));

    assertThat(s.listens()).extracting(ListenConfig::text).containsExactly("127.0.0.1:8143", "[::1]:8143");
  }

  // ---- protocol inference

  @ParameterizedTest
  @CsvSource({"143, imap", "993, imap", "110, pop3", "995, pop3", "25, smtp", "465, smtp", "587, smtp"})
  void protocolIsInferredFromWellKnownPorts(int port, String protocol) throws Exception {
    assertThat(onlyServer(server("listen 127.0.0.1:" + port + ";")).protocol()).isEqualTo(protocol);
  }

  @Test
  void anExplicitProtocolWinsOverThePort() throws Exception {
    assertThat(onlyServer(server("listen 127.0.0.1:143;\nprotocol smtp;")).protocol()).isEqualTo("smtp");
  }

  @Test
  void inferenceUsesTheFirstWellKnownPort() throws Exception {
    assertThat(onlyServer(server("listen 127.0.0.1:8000;\nlisten 127.0.0.1:110;")).protocol()).isEqualTo("pop3");
  }

  @Test
  void anUnknownPortWithoutProtocolIsAnErrorAtTheServer() throws IOException {
    assertFails(mail(AUTH + "server {\n  listen 127.0.0.1:8143;\n}"), "unknown mail protocol for server in "
        + conf() + ":3");
  }

  // ---- auth_http forms

  @Test
  void authHttpWithoutSchemeOrPortOrUri() throws Exception {
    AuthHttpConfig a = onlyServer(mail("auth_http 127.0.0.1;\nserver { listen 127.0.0.1:143; }")).authHttp().orElseThrow();

    assertThat(a.first().address()).isEqualTo(new InetSocketAddress("127.0.0.1", 80));
    assertThat(a.first().hostHeader()).isEqualTo("127.0.0.1");
    assertThat(a.first().uri()).isEqualTo("/");
  }

  @Test
  void authHttpOnAHostNameKeepsTheNameForTheHostHeader() throws Exception {
    AuthHttpConfig a = onlyServer(mail("auth_http HTTP://localhost:8080/a?b=c;\nserver { listen 127.0.0.1:143; }"))
        .authHttp().orElseThrow();

    assertThat(((InetSocketAddress) a.first().address()).getAddress().isLoopbackAddress()).isTrue();
    assertThat(((InetSocketAddress) a.first().address()).getPort()).isEqualTo(8080);
    assertThat(a.first().hostHeader()).isEqualTo("localhost");
    assertThat(a.first().uri()).isEqualTo("/a?b=c");
  }

  @Test
  void authHttpOnIpv6() throws Exception {
    AuthHttpConfig a = onlyServer(mail("auth_http http://[::1]:9/x;\nserver { listen 127.0.0.1:143; }")).authHttp().orElseThrow();

    assertThat(a.first().address()).isEqualTo(new InetSocketAddress("::1", 9));
    assertThat(a.first().hostHeader()).isEqualTo("[::1]");
  }

  @ParameterizedTest
  @CsvSource({
      "unix:/tmp/auth.sock:/mail/auth, /tmp/auth.sock, /mail/auth",
      "http://unix:/tmp/auth.sock, /tmp/auth.sock, /",
  })
  void authHttpOnAUnixSocket(String url, String path, String uri) throws Exception {
    AuthHttpConfig a = onlyServer(mail("auth_http " + url + ";\nserver { listen 127.0.0.1:143; }")).authHttp().orElseThrow();

    assertThat(((DomainSocketAddress) a.first().address()).path()).isEqualTo(path);
    assertThat(a.first().hostHeader()).isEqualTo("localhost");
    assertThat(a.first().uri()).isEqualTo(uri);
    assertThat(a.first().url()).isEqualTo(url);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "https://unix:/tmp/a.sock | https over a unix domain socket is not supported in auth_http \"https://unix:/tmp/a.sock\"",
      "http://127.0.0.1:x/    | invalid port in auth_http \"http://127.0.0.1:x/\"",
      "http:///auth           | no host in auth_http \"http:///auth\"",
      "host.invalid           | host not found in auth_http \"host.invalid\"",
  })
  void badAuthHttpUrls(String url, String message) throws IOException {
    assertFails(mail("auth_http " + url + ";"), message + " in " + conf() + ":2");
  }

  // ---- skipped directives and notices

  @Test
  void skippedDirectivesAreAcceptedWithExactlyOneNoticePerName() throws Exception {
    load(String.join("\n",
        "user nobody nogroup;",
        "user nobody;",
        "worker_rlimit_nofile 1024;",
        "pcre_jit on;",
        "load_module modules/x.so;",
        "env TZ;",
        "env LANG;",
        "worker_shutdown_timeout 10s;",
        "timer_resolution 100ms;",
        "thread_pool default threads=32;",
        "ssl_engine device;",
        "lock_file logs/nginx.lock;",
        "working_directory /tmp;",
        "debug_points abort;",
        "worker_cpu_affinity auto;",
        "worker_priority -5;",
        "events { use epoll; multi_accept on; accept_mutex off; use epoll; }",
        "http { anything goes { here; } }",
        "http { }",
        "stream { server { listen 1; } }",
        "mail {",
        "  resolver 127.0.0.1 valid=30s;",
        "  resolver_timeout 5s;",
        "  proxy_protocol on;",
        "  set_real_ip_from 10.0.0.0/8;",
        "  set_real_ip_from 192.168.0.0/16;",
        "  real_ip_header proxy_protocol;",
        "}"));

    assertThat(notices).containsExactly(
        "\"user\" directive is ignored",
        "\"worker_rlimit_nofile\" directive is ignored",
        "\"pcre_jit\" directive is ignored",
        "\"load_module\" directive is ignored",
        "\"env\" directive is ignored",
        "\"timer_resolution\" directive is ignored",
        "\"thread_pool\" directive is ignored",
        "\"ssl_engine\" directive is ignored",
        "\"lock_file\" directive is ignored",
        "\"working_directory\" directive is ignored",
        "\"debug_points\" directive is ignored",
        "\"worker_cpu_affinity\" directive is ignored",
        "\"worker_priority\" directive is ignored",
        "\"use\" directive is ignored",
        "\"multi_accept\" directive is ignored",
        "\"accept_mutex\" directive is ignored",
        "\"http\" directive is ignored",
        "\"stream\" directive is ignored",
        "\"real_ip_header\" directive is ignored");
  }

  @Test
  void maxCommandsIsInheritedFromMail() throws Exception {
    ServerConfig s = onlyServer("events {}\nmail {\n  auth_http 127.0.0.1:9;\n  max_commands 1;\n"
        + "  server { listen 127.0.0.1:143; }\n}\n");
    assertThat(s.maxCommands()).isEqualTo(1);
  }

  @Test
  void skippedDirectivesStillHaveTheirArgumentsChecked() throws IOException {
    assertFails("events {}\nuser;", "invalid number of arguments in \"user\" directive in " + conf() + ":2");
  }

  @Test
  void skippedBlocksMustStillBeWellFormed() throws IOException {
    assertFails("http {\n  server {\n    listen 80;\n}\n", "unexpected end of file, expecting \"}\" in "
        + conf() + ":5");
  }
}
