package io.mailgate.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgate.packaging.Packaging.Result;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.ProxyUnderTest;
import io.mailgate.testkit.TestPki;
import io.mailgate.testkit.TlsClientOptions;
import io.mailgate.testkit.TlsLineClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** target/mailgate-VERSION.tar.gz: its layout and modes, its launcher, and the deployment example it ships. */
class ReleaseArchiveIT {

  private static final Duration COMMAND_LIMIT = Duration.ofSeconds(60);
  private static final Pattern LISTEN = Pattern.compile("listen\\s+(\\d+)( ssl)?;");
  private static final Pattern TLS_FILE = Pattern.compile("ssl_certificate(?:_key)?\\s+(\\S+);");

  @TempDir Path dir;

  @Test
  void holdsTheInstallationUnderOneTopFolderWithItsModes() throws Exception {
    String top = "mailgate-" + Packaging.version() + "/";
    Map<String, TarEntries.Entry> entries = TarEntries.read(Packaging.archive());

    assertThat(entries.keySet()).allMatch(name -> name.startsWith(top), "under " + top);
    assertThat(entries.get(top + "bin/mailgate").mode()).isEqualTo(0755);
    for (String file : List.of("lib/mailgate.jar", "conf/mailgate.conf", "conf/mailgate.conf.example",
        "conf/demo/users", "conf/examples/shared-throttle/haproxy.cfg",
        "conf/examples/shared-throttle/mailgate-a.conf", "systemd/mailgate.service", "LICENSE", "README.md")) {
      assertThat(entries).as(file).containsKey(top + file);
      assertThat(entries.get(top + file).mode()).as(file).isEqualTo(0644);
    }
    assertThat(entries.get(top + "logs/").type()).as("an empty logs/ folder").isEqualTo('5');
    assertThat(entries.keySet()).noneMatch(name -> name.startsWith(top + "logs/") && !name.equals(top + "logs/"));
    // The demo issuer's key pair is made at first start in conf/demo: a build machine's must never ship.
    assertThat(entries.keySet()).noneMatch(name -> name.contains("demo-issuer"));
    assertThat(entries.get(top + "lib/mailgate.jar").size()).isEqualTo(Files.size(Path.of("target/mailgate.jar")));
  }

  @Test
  void shipsTheApacheLicense() throws Exception {
    Path home = Packaging.unpackArchive(dir);
    assertThat(Files.readString(home.resolve("LICENSE")))
        .contains("Apache License").contains("Version 2.0, January 2004")
        .isEqualTo(Files.readString(Path.of("LICENSE")));
  }

  @Test
  void theLauncherRunsTheArchivedJarWithTheShippedConfiguration() throws Exception {
    Path home = Packaging.unpackArchive(dir);
    assertThat(home.resolve("target")).doesNotExist();

    Result version = Packaging.run(COMMAND_LIMIT, home.resolve("bin/mailgate").toString(), "-v");
    assertThat(version.output()).contains("mailgate version: mailgate/" + Packaging.version());

    Result test = Packaging.run(COMMAND_LIMIT, home.resolve("bin/mailgate").toString(), "-t");
    assertThat(test.exit()).as(test.output()).isZero();
    assertThat(test.output()).contains(home.resolve("conf/mailgate.conf") + " test is successful");
  }

  @Test
  void theDeploymentExamplePassesTheConfigurationTest() throws Exception {
    Path home = Packaging.unpackArchive(dir);
    Path example = home.resolve("conf/mailgate.conf.example");
    Result test = Packaging.run(COMMAND_LIMIT, home.resolve("bin/mailgate").toString(), "-t", "-c", example.toString());
    assertThat(test.exit()).as(test.output()).isZero();
    assertThat(test.output()).contains(example + " test is successful");
  }

  @Test
  void theDeploymentExampleDocumentsEveryFileItNames() throws Exception {
    String example = Files.readString(Path.of("conf/mailgate.conf.example"));
    String header = example.substring(0, example.indexOf("\nworker_processes"));
    List<String> named = tlsFiles(example);
    assertThat(named).isNotEmpty();
    for (String file : named) {
      assertThat(header).as("the header comment explains %s", file).contains(file);
    }
    // The pid file and error log live in the folders the systemd unit creates (SystemdUnitIT checks the unit).
    assertThat(example).containsPattern("\\npid\\s+/run/mailgate/mailgate.pid;")
        .containsPattern("\\nerror_log\\s+/var/log/mailgate/error.log");
  }

  /**
   * The example starts as it is, apart from what a test must move: its ports (to free loopback ones), its pid file
   * and error log (to a temporary folder), and the certificate it names (made here). Every listener comes up, the
   * STARTTLS and the implicit-TLS ones greet.
   */
  @Test
  void theDeploymentExampleStartsWithItsCertificateInPlace() throws Exception {
    Path home = Packaging.unpackArchive(dir);
    Path etc = Files.createDirectories(dir.resolve("etc"));
    String example = Files.readString(home.resolve("conf/mailgate.conf.example"));
    TestPki pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
    TestPki.Pair pair = pki.server(TestPki.KeyType.RSA, "mail.example.com");
    List<String> files = tlsFiles(example);
    Files.createDirectories(etc.resolve(files.get(0)).getParent());
    Files.copy(pair.certificate(), etc.resolve(files.get(0)));
    Files.copy(pair.key(), etc.resolve(files.get(1)));

    Map<Integer, Integer> ports = new LinkedHashMap<>();
    Matcher listen = LISTEN.matcher(example);
    StringBuilder moved = new StringBuilder();
    while (listen.find()) {
      int port = ProxyUnderTest.freePort();
      ports.put(Integer.parseInt(listen.group(1)), port);
      listen.appendReplacement(moved, "listen 127.0.0.1:" + port + (listen.group(2) == null ? "" : " ssl") + ";");
    }
    listen.appendTail(moved);
    assertThat(ports.keySet()).contains(143, 993, 995, 465, 587);
    Path pid = dir.resolve("mailgate.pid");
    Path conf = etc.resolve("mailgate.conf");
    Files.writeString(conf, moved.toString()
        .replace("/run/mailgate/mailgate.pid", pid.toString())
        .replace("/var/log/mailgate/error.log", dir.resolve("error.log").toString()));

    Process mailgate = new ProcessBuilder(home.resolve("bin/mailgate").toString(), "-c", conf.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!Files.exists(pid) && mailgate.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(pid).as("pid file (every listener bound); log: %s", log()).exists();
      try (LineClient imap = new LineClient(ports.get(143))) {
        assertThat(imap.readLine()).startsWith("* OK");
      }
      TlsClientOptions tls = TlsClientOptions.trusting(pki.ca().x509()).serverName("mail.example.com");
      try (TlsLineClient imaps = TlsLineClient.implicit(ports.get(993), tls)) {
        assertThat(imaps.readLine()).startsWith("* OK");
      }
      try (TlsLineClient smtps = TlsLineClient.implicit(ports.get(465), tls)) {
        assertThat(smtps.readLine()).startsWith("220 mail.example.com");
      }
    } finally {
      mailgate.destroy();
      if (!mailgate.waitFor(30, TimeUnit.SECONDS)) {
        mailgate.destroyForcibly();
      }
    }
  }

  private String log() throws Exception {
    Path out = dir.resolve("out.txt");
    Path errors = dir.resolve("error.log");
    return (Files.exists(out) ? Files.readString(out) : "")
        + (Files.exists(errors) ? Files.readString(errors) : "");
  }

  /** The ssl_certificate and ssl_certificate_key files, in order. */
  private static List<String> tlsFiles(String config) {
    List<String> files = new ArrayList<>();
    Matcher m = TLS_FILE.matcher(config);
    while (m.find()) {
      files.add(m.group(1));
    }
    return files;
  }
}
