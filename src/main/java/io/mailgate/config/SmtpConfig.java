package io.mailgate.config;

import io.mailgate.sasl.Mechanism;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The {@code smtp_*} and related settings of a server.
 *
 * @param clientBuffer {@code smtp_client_buffer} (default 4k)
 * @param auth {@code smtp_auth} (default {@code plain login}); may contain {@link Mechanism#NONE}
 * @param capabilities {@code smtp_capabilities}, in the order written
 * @param greetingDelay {@code smtp_greeting_delay} (default 0)
 * @param xclient {@code xclient} (default on)
 * @param proxySmtpAuth {@code proxy_smtp_auth} (default off)
 */
public record SmtpConfig(
    int clientBuffer,
    Set<Mechanism> auth,
    List<String> capabilities,
    Duration greetingDelay,
    boolean xclient,
    boolean proxySmtpAuth) {

  public SmtpConfig {
    auth = Set.copyOf(auth);
    capabilities = List.copyOf(capabilities);
  }
}
