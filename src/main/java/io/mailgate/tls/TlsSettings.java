package io.mailgate.tls;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Translates nginx's protocol, cipher and curve settings into what the provider takes. */
final class TlsSettings {
  private static final Map<String, String> GROUP_NAMES = Map.of(
      "prime256v1", "P-256", "secp256r1", "P-256", "secp384r1", "P-384", "secp521r1", "P-521",
      "x25519", "X25519", "x448", "X448");

  private TlsSettings() {}

  /** The configured protocols the provider supports; the others dropped with a warning. */
  static List<String> protocols(List<String> wanted, TlsProvider provider, String directive, List<String> warnings)
      throws TlsSetupException {
    List<String> kept = new ArrayList<>();
    for (String protocol : wanted) {
      if (provider.supportsProtocol(protocol)) {
        kept.add(protocol);
      } else {
        warnings.add("\"" + directive + "\": " + protocol + " is not supported by " + provider.displayName()
            + ", ignored");
      }
    }
    if (kept.isEmpty()) {
      throw new TlsSetupException("\"" + directive + " " + String.join(" ", wanted) + "\": no protocol supported by "
          + provider.displayName());
    }
    return kept;
  }

  /** The provider's names of the suites the OpenSSL cipher string selects, followed by every TLS 1.3 suite. */
  static List<String> ciphers(String rules, TlsProvider provider) throws TlsSetupException {
    Map<String, String> legacy = provider.legacySuites();
    List<String> selected = CipherRules.expand(rules, List.copyOf(legacy.keySet()));
    if (selected.isEmpty()) {
      throw new TlsSetupException("SSL_CTX_set_cipher_list(\"" + rules + "\") failed (no cipher match)");
    }
    List<String> names = new ArrayList<>(provider.tls13Suites());
    for (String name : selected) {
      names.add(legacy.get(name));
    }
    return names;
  }

  /** {@code ssl_ecdh_curve}: empty for {@code auto}; else the list in BoringSSL's names. */
  static Optional<String[]> groups(String curves) {
    if (curves.equalsIgnoreCase("auto")) {
      return Optional.empty();
    }
    List<String> groups = new ArrayList<>();
    for (String curve : curves.split(":")) {
      if (!curve.isEmpty()) {
        groups.add(GROUP_NAMES.getOrDefault(curve.toLowerCase(Locale.ROOT), curve));
      }
    }
    return Optional.of(groups.toArray(new String[0]));
  }
}
