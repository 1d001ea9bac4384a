package io.mailgate.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.nimbusds.jose.util.JSONArrayUtils;
import com.nimbusds.jose.util.JSONObjectUtils;
import io.mailgate.packaging.Packaging.Result;
import io.mailgate.testkit.LineClient;
import io.mailgate.testkit.ProxyUnderTest;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * target/mailgate-image.tar (mvn -Pimage), run without any container engine: its layers are unpacked into a root
 * folder and its entrypoint is started there the way a runtime would, with the image's environment and user, in
 * mount and pid namespaces of its own (unshare, chroot). Runs only when the image profile has just built the tar;
 * starting it needs root.
 */
class ImageIT {

  private static final Duration LIMIT = Duration.ofSeconds(60);
  private static final String USER = "10143:10143";

  @TempDir Path dir;
  private Map<String, Object> config;
  private Path layers;
  private List<?> layerFiles;

  @BeforeEach
  void unpackTheImage() throws Exception {
    String tar = System.getProperty("mailgate.image.tar");
    assumeTrue(tar != null && Files.isRegularFile(Path.of(tar)), "the image is built and tested with -Pimage");
    layers = Files.createDirectories(dir.resolve("image"));
    Result untar = Packaging.run(LIMIT, "tar", "-xf", tar, "-C", layers.toString());
    assertThat(untar.exit()).as(untar.output()).isZero();
    // Docker's image tar: manifest.json lists the config file and the layers, bottom first.
    @SuppressWarnings("unchecked")
    Map<String, Object> manifest =
        (Map<String, Object>) JSONArrayUtils.parse(Files.readString(layers.resolve("manifest.json"))).get(0);
    config = JSONObjectUtils.getJSONObject(
        JSONObjectUtils.parse(Files.readString(layers.resolve((String) manifest.get("Config")))), "config");
    layerFiles = (List<?>) manifest.get("Layers");
  }

  @Test
  void runsAsAnUnprivilegedUserWithTheLaunchersJvmFlags() throws Exception {
    assertThat(config.get("User")).isEqualTo(USER);
    assertThat(JSONObjectUtils.getJSONObject(config, "ExposedPorts").keySet())
        .contains("143/tcp", "993/tcp", "110/tcp", "995/tcp", "25/tcp", "465/tcp", "587/tcp");
    List<String> entrypoint = strings("Entrypoint");
    assertThat(entrypoint.get(0)).isEqualTo("java");
    assertThat(entrypoint.get(entrypoint.size() - 1)).isEqualTo("io.mailgate.app.Main");
    assertThat(strings("Cmd")).containsExactly("-c", "/etc/mailgate/mailgate.conf");
    List<String> imageFlags = entrypoint.subList(1, entrypoint.indexOf("-cp"));
    assertThat(imageFlags).containsExactlyElementsOf(launcherFlags("/opt/mailgate"));
    // bin/mailgate exports MALLOC_ARENA_MAX=2 unless it is set; the image sets it in its environment.
    assertThat(strings("Env")).contains("MALLOC_ARENA_MAX=2");
  }

  @Test
  void greetsAndLogsInWithAMountedConfiguration() throws Exception {
    assumeTrue(Packaging.root(), "chroot and unshare need root");
    assumeTrue(Packaging.onPath("unshare") && which("chroot").isPresent(), "unshare and chroot are needed");
    Path root = Files.createDirectories(dir.resolve("root"));
    for (Object layer : layerFiles) {
      Result untar = Packaging.run(LIMIT, "tar", "-xzf", layers.resolve((String) layer).toString(), "-C",
          root.toString());
      assertThat(untar.exit()).as(untar.output()).isZero();
    }
    // What "-v ./mailgate.conf:/etc/mailgate/mailgate.conf" does: a configuration of our own, on free ports.
    int port = ProxyUnderTest.freePort();
    int store = ProxyUnderTest.freePort();
    Files.writeString(root.resolve("etc/mailgate/mailgate.conf"), "pid off;\nerror_log stderr info;\nevents {}\n"
        + "mail {\n  auth_users demo/users;\n  demo_mail_store 127.0.0.1:" + store + ";\n"
        + "  server { listen 127.0.0.1:" + port + "; protocol imap; imap_auth plain login; }\n}\n");
    // Mount points a runtime fills: the JVM finds its libraries through /proc/self/exe.
    Files.createDirectories(root.resolve("proc"));
    Files.createDirectories(root.resolve("dev"));

    List<String> command = new ArrayList<>(List.of("unshare", "--mount", "--pid", "--fork",
        "--mount-proc=" + root.resolve("proc"), "sh", "-c", "mount --rbind /dev \"$0/dev\" && exec env -i \"$@\"",
        root.toString()));
    command.addAll(strings("Env"));
    command.addAll(List.of(which("chroot").get().toString(), "--userspec=" + config.get("User"), root.toString()));
    command.addAll(strings("Entrypoint"));
    command.addAll(strings("Cmd"));
    Path log = dir.resolve("out.txt");
    Process unshare = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      try (LineClient imap = connect(port, unshare, log)) {
        assertThat(imap.readLine()).startsWith("* OK");
        imap.send("a LOGIN demo@example.com demo");
        assertThat(imap.readLine()).as(Files.readString(log)).startsWith("a OK");
      }
      ProcessHandle java = unshare.descendants().filter(p -> p.info().command().orElse("").endsWith("/java"))
          .findFirst().orElseThrow();
      assertThat(Files.getAttribute(Path.of("/proc/" + java.pid()), "unix:uid")).isEqualTo(10143);
      // Netty's native libraries loaded from the image's /tmp, with the image's glibc.
      assertThat(Files.readString(log)).contains("epoll transport").contains("BoringSSL");
      // TERM, as "docker stop" sends it to the container's first process: a graceful stop.
      java.destroy();
      assertThat(unshare.waitFor(30, TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();
      assertThat(unshare.exitValue()).as(Files.readString(log)).isZero();
    } finally {
      unshare.descendants().forEach(ProcessHandle::destroyForcibly);
      unshare.destroyForcibly();
    }
  }

  private static LineClient connect(int port, Process process, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        return new LineClient(port);
      } catch (ConnectException e) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          throw new AssertionError("the image did not start listening: " + Files.readString(log), e);
        }
        Thread.sleep(100);
      }
    }
  }

  /**
   * The JVM flags of bin/mailgate's exec line, one argument each as the image needs them ("--add-opens X" becomes
   * "--add-opens=X"), with the installation folder the image uses.
   */
  private static List<String> launcherFlags(String home) throws IOException {
    String launcher = Files.readString(Path.of("bin/mailgate"));
    Matcher exec = Pattern.compile("exec \"\\$java\" \\\\\\n(.*?)-jar ", Pattern.DOTALL).matcher(launcher);
    assertThat(exec.find()).as("bin/mailgate's exec line").isTrue();
    List<String> flags = new ArrayList<>();
    String[] words = exec.group(1).replace("\\\n", " ").trim().split("\\s+");
    for (int i = 0; i < words.length; i++) {
      String word = words[i];
      if (word.equals("--add-opens")) {
        flags.add(word + "=" + words[++i]);
      } else if (word.startsWith("-Dmailgate.home=")) {
        flags.add("-Dmailgate.home=" + home);
      } else if (word.startsWith("-")) {
        flags.add(word);
      }
    }
    return flags;
  }

  private List<String> strings(String key) {
    List<String> values = new ArrayList<>();
    for (Object value : (List<?>) config.get(key)) {
      values.add((String) value);
    }
    return values;
  }

  private static Optional<Path> which(String command) {
    for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
        return Optional.of(Path.of(dir, command));
      }
    }
    return Optional.empty();
  }
}
