package io.mailgate.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mailgate.authn.routing.BackendMap;
import io.mailgate.authn.routing.DataFileLines;
import io.mailgate.authn.routing.FileFormatException;
import io.mailgate.authn.users.UsersFile;
import io.mailgate.authn.users.UsersFileException;
import io.mailgate.backend.BackendTarget;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The built-in authenticator's data files on any bytes: the users file and the backend map load, or fail with a
 * {@link FileFormatException} naming {@code file:line} (never another exception); every user line loaded is found
 * under its name; a users-file error never quotes a password hash; backends have usable ports.
 */
class UsersFileFuzzTest {

  @FuzzTest(maxDuration = "30s")
  void usersFileLoadsOrNamesTheLine(byte[] input) throws IOException {
    Path file = FuzzFiles.write("users", input);
    List<String> lines = linesOrNull(file);
    if (lines == null || !lines.stream().allMatch(UsersFileFuzzTest::backendOffline)) {
      return;
    }
    UsersFile users;
    try {
      users = UsersFile.load(file);
    } catch (UsersFileException e) {
      assertThat(e.getMessage()).startsWith(file + ":");
      int line = e.line();
      assertThat(line).isBetween(1, lines.size());
      String hash = hashField(lines.get(line - 1).strip());
      if (hash.length() >= 8 && !userField(lines.get(line - 1).strip()).contains(hash)) {
        assertThat(e.getMessage()).doesNotContain(hash);
      }
      return;
    }
    for (String raw : lines) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      assertThat(users.find(userField(line))).hasValueSatisfying(entry -> {
        assertThat(entry.hash()).isEqualTo(hashField(line));
        entry.backend().ifPresent(b -> assertThat(b.getPort()).isBetween(1, 65535));
        if (entry.hash().length() >= 8 && !entry.user().contains(entry.hash())) {
          assertThat(entry.toString()).doesNotContain(entry.hash());
        }
      });
    }
  }

  @FuzzTest(maxDuration = "30s")
  void backendMapLoadsOrNamesTheLine(byte[] input) throws IOException {
    Path file = FuzzFiles.write("backends", input);
    List<String> lines = linesOrNull(file);
    if (lines == null
        || !lines.stream().flatMap(l -> List.of(l.strip().split("\\s+")).stream().skip(1))
            .allMatch(LiteralHosts::resolvesOffline)) {
      return;
    }
    BackendMap map;
    try {
      map = BackendMap.load(file);
    } catch (FileFormatException e) {
      assertThat(e.getMessage()).startsWith(file + ":");
      assertThat(e.line()).isBetween(1, lines.size());
      return;
    }
    for (String raw : lines) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String key = line.split("\\s+")[0];
      String user = key.equals("*") ? "nobody-listed\u0000" : key.startsWith("@") ? "x" + key : key;
      BackendTarget target = map.lookup(user).orElseThrow(() -> new AssertionError("no backend for " + key));
      for (InetSocketAddress a : target.addresses()) {
        assertThat(a.getPort()).isBetween(1, 65535);
        assertThat(a.isUnresolved()).isFalse();
      }
    }
  }

  /** The file's lines, or null (after checking the error) when it is not UTF-8. */
  private static List<String> linesOrNull(Path file) throws IOException {
    try {
      return DataFileLines.read(file);
    } catch (FileFormatException e) {
      assertThat(e.getMessage()).startsWith(file + ":").contains("not valid UTF-8");
      String text = new String(java.nio.file.Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
      assertThat(e.line()).isBetween(1, (int) text.chars().filter(c -> c == '\n').count() + 1);
      return null;
    }
  }

  private static boolean backendOffline(String raw) {
    String line = raw.strip();
    int first = line.indexOf(':');
    int second = first < 0 ? -1 : line.indexOf(':', first + 1);
    return second < 0 || LiteralHosts.resolvesOffline(line.substring(second + 1));
  }

  private static String userField(String line) {
    int colon = line.indexOf(':');
    return colon < 0 ? line : line.substring(0, colon);
  }

  private static String hashField(String line) {
    int first = line.indexOf(':');
    if (first < 0) {
      return "";
    }
    int second = line.indexOf(':', first + 1);
    return second < 0 ? line.substring(first + 1) : line.substring(first + 1, second);
  }
}
