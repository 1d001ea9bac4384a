package io.mailgate.config;

import io.mailgate.sasl.Mechanism;
import java.util.List;
import java.util.Set;

/**
 * The {@code imap_*} settings of a server.
 *
 * @param clientBuffer {@code imap_client_buffer} (default 4k): the longest command line accepted before login
 * @param auth {@code imap_auth} (default {@code plain}); PLAIN and LOGIN are accepted whatever it says
 * @param capabilities {@code imap_capabilities} (default {@code IMAP4 IMAP4rev1 UIDPLUS}), in the order written
 * @param idFields {@code imap_id_fields} (default none): field, value, field, value... of the local answer to a
 *     client's RFC 2971 {@code ID} before login; none answers {@code * ID NIL}
 */
public record ImapConfig(int clientBuffer, Set<Mechanism> auth, List<String> capabilities, List<String> idFields) {

  public ImapConfig {
    auth = Set.copyOf(auth);
    capabilities = List.copyOf(capabilities);
    idFields = List.copyOf(idFields);
  }
}
