package io.mailgate.config;

import io.mailgate.sasl.Mechanism;
import java.util.List;
import java.util.Set;

/**
 * The {@code pop3_*} settings of a server.
 *
 * @param clientBuffer {@code pop3_client_buffer} (the nginx fork's directive; default 128, as nginx's fixed buffer)
 * @param auth {@code pop3_auth} (default {@code plain})
 * @param capabilities {@code pop3_capabilities} (default {@code TOP USER UIDL})
 */
public record Pop3Config(int clientBuffer, Set<Mechanism> auth, List<String> capabilities) {

  public Pop3Config {
    auth = Set.copyOf(auth);
    capabilities = List.copyOf(capabilities);
  }
}
