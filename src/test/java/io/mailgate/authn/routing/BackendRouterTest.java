package io.mailgate.authn.routing;

import io.mailgate.backend.BackendTarget;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendRouterTest {

  private static final Optional<InetSocketAddress> FIXED = Optional.of(HostPort.parse("192.0.2.1:143"));
  private static final Optional<InetSocketAddress> FROM_AUTH = Optional.of(HostPort.parse("192.0.2.9:143"));

  @TempDir
  Path dir;

  private BackendMap map(String text) throws Exception {
    Path file = dir.resolve("map");
    Files.writeString(file, text);
    return BackendMap.load(file);
  }

  @Test
  void theAuthenticatorsAnswerWinsOverMapAndFixedBackend() throws Exception {
    BackendRouter router = new BackendRouter(FIXED, Optional.of(map("* 192.0.2.5:143\n")));

    assertThat(router.route("alice@example.com", FROM_AUTH)).isEqualTo(FROM_AUTH.map(BackendTarget::of));
  }

  @Test
  void theMapWinsOverTheFixedBackend() throws Exception {
    BackendRouter router = new BackendRouter(FIXED, Optional.of(map("@example.com 192.0.2.5:143\n")));

    assertThat(router.route("alice@example.com", Optional.empty()))
        .contains(BackendTarget.of(HostPort.parse("192.0.2.5:143")));
  }

  @Test
  void fallsBackToTheFixedBackendWhenTheMapHasNoLine() throws Exception {
    BackendRouter router = new BackendRouter(FIXED, Optional.of(map("@example.com 192.0.2.5:143\n")));

    assertThat(router.route("bob@example.org", Optional.empty())).isEqualTo(FIXED.map(BackendTarget::of));
  }

  @Test
  void routesNowhereWithoutAnySource() {
    BackendRouter router = new BackendRouter(Optional.empty(), Optional.empty());

    assertThat(router.route("alice", Optional.empty())).isEmpty();
    assertThat(router.route("alice", FROM_AUTH)).isEqualTo(FROM_AUTH.map(BackendTarget::of));
  }
}
