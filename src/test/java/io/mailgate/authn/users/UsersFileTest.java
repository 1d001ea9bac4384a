package io.mailgate.authn.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailgate.authn.routing.HostPort;
import io.mailgate.testkit.LogCapture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UsersFileTest {

  static final String ALICE_HASH =
      "$6$abc$IdWKNKTJEb8LxY7CGg8YBXlvtfZzFw7Mp/r6niK9YB2mdvgY..TKjv1T..8RadRt2qvUHYRLr/TsVArtr91iR1";
  static final String BOB_HASH = "$2y$10$0123456789abcdefghijke9ORJj3oxHORehl3kCDiTb7DE.M1QRDi";

  @TempDir
  Path dir;

  private Path write(String text) throws Exception {
    Path file = dir.resolve("users");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void parsesUsersHashesAndOptionalBackends() throws Exception {
    UsersFile users = UsersFile.load(write("# user:hash[:host:port]\n"
        + "alice:" + ALICE_HASH + "\n"
        + "\n"
        + "   # indented comment\n"
        + "bob@example.com:" + BOB_HASH + ":10.0.0.5:143\r\n"
        + "carol:" + BOB_HASH + ":[::1]:1143\n"
        + "dave:" + BOB_HASH + ":localhost:110"));

    assertThat(users.size()).isEqualTo(4);
    assertThat(users.find("alice")).contains(new UserEntry("alice", ALICE_HASH, Optional.empty()));
    assertThat(users.find("bob@example.com"))
        .contains(new UserEntry("bob@example.com", BOB_HASH, Optional.of(HostPort.parse("10.0.0.5:143"))));
    assertThat(users.find("carol").flatMap(UserEntry::backend)).contains(HostPort.parse("[::1]:1143"));
    assertThat(users.find("dave").flatMap(UserEntry::backend).orElseThrow().isUnresolved()).isFalse();
    assertThat(users.find("Alice")).isEmpty();
    assertThat(users.find("eve")).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "alice                                  | 1 | expected user:hash[:host:port]",
      "':$6$abc$SECRET'                       | 1 | empty user name",
      "'# x\nalice:'                          | 2 | empty password hash",
      "'alice:$6$abc$SECRET:'                 | 1 | bad backend",
      "'alice:$6$abc$SECRET:10.0.0.5'         | 1 | bad backend",
      "'alice:$6$abc$SECRET:10.0.0.5:0'       | 1 | bad backend",
      "'alice:$6$abc$SECRET:::1:143'          | 1 | bad backend",
      "'alice:$6$abc$SECRET:SECRET.invalid:1' | 1 | bad backend",
      "'alice:$6$abc$SECRET:x:SECRET:1'       | 1 | bad backend",
      "'alice:$6$abc$SECRET\n\nalice:$6$x$SECRET' | 3 | duplicate user \"alice\""})
  void reportsBadLinesWithFileAndLineButNeverTheHash(String text, int line, String problem) throws Exception {
    Path file = write(text);

    assertThatThrownBy(() -> UsersFile.load(file))
        .isInstanceOfSatisfying(UsersFileException.class, e -> assertThat(e.line()).isEqualTo(line))
        .hasMessageStartingWith(file + ":" + line + ": ")
        .hasMessageContaining(problem)
        .message().doesNotContain("SECRET").doesNotContain("$6$");
  }

  @Test
  void reportsBytesThatAreNotUtf8WithTheirLine() throws Exception {
    Path file = dir.resolve("latin1");
    Files.write(file, ("alice:" + ALICE_HASH + "\nj\u00f6rg:" + ALICE_HASH + "\n")
        .getBytes(StandardCharsets.ISO_8859_1));

    assertThatThrownBy(() -> UsersFile.load(file))
        .isInstanceOf(UsersFileException.class)
        .hasMessage(file + ":2: not valid UTF-8");
  }

  @Test
  void warnsOnceAtLoadAboutUnsupportedHashesWithoutPrintingThem() throws Exception {
    try (LogCapture log = LogCapture.onRootAtDebug()) {
      UsersFile users = UsersFile.load(write("alice:" + ALICE_HASH + "\nmallory:$1$SECRET$md5crypt\n"));

      assertThat(users.find("mallory")).isPresent();
      assertThat(log.text())
          .contains(":2: the password hash of user \"mallory\" is malformed or of an unsupported scheme")
          .doesNotContain("SECRET").doesNotContain("md5crypt").doesNotContain(ALICE_HASH);
    }
  }

  @Test
  void timesUnknownUsersWithTheFirstUsableHashInTheFile() throws Exception {
    UsersFile users = UsersFile.load(write("mallory:$1$x$y\nbob:" + BOB_HASH + "\nalice:" + ALICE_HASH + "\n"));

    assertThat(users.timingDummyHash()).isEqualTo(BOB_HASH);
  }

  @Test
  void timesUnknownUsersWithAFixedBcryptHashWhenTheFileHasNone() throws Exception {
    UsersFile users = UsersFile.load(write("# nobody yet\n"));

    assertThat(users.size()).isZero();
    assertThat(users.timingDummyHash()).startsWith("$2b$10$");
    assertThat(PasswordHashes.isSupported(users.timingDummyHash())).isTrue();
  }
}
