package io.mailgate.tls;

import io.mailgate.config.BackendTlsConfig;
import io.mailgate.config.TlsConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** nginx's defaults for the mail ssl directives, changed field by field in tests. */
final class TlsConfigBuilder {
  List<TlsConfig.CertificatePair> certificates = new ArrayList<>();
  Optional<Path> passwordFile = Optional.empty();
  List<String> protocols = List.of("TLSv1.2", "TLSv1.3");
  String ciphers = "HIGH:!aNULL:!MD5";
  boolean preferServerCiphers;
  String ecdhCurve = "auto";
  Optional<Path> dhparam = Optional.empty();
  TlsConfig.SessionCache sessionCache = new TlsConfig.SessionCache(TlsConfig.SessionCache.Mode.NONE, OptionalInt.empty());
  Duration sessionTimeout = Duration.ofMinutes(5);
  boolean sessionTickets = true;
  List<Path> sessionTicketKeys = List.of();
  TlsConfig.VerifyClient verifyClient = TlsConfig.VerifyClient.OFF;
  int verifyDepth = 1;
  Optional<Path> clientCertificate = Optional.empty();
  Optional<Path> trustedCertificate = Optional.empty();
  Optional<Path> crl = Optional.empty();
  Map<String, TlsConfig.CertificatePair> sniCertificates = new LinkedHashMap<>();
  List<String> confCommands = List.of();

  TlsConfigBuilder(TlsConfig.CertificatePair... pairs) {
    certificates.addAll(List.of(pairs));
  }

  TlsConfigBuilder cache(TlsConfig.SessionCache.Mode mode) {
    sessionCache = new TlsConfig.SessionCache(mode, OptionalInt.empty());
    return this;
  }

  TlsConfig build() {
    return new TlsConfig(TlsConfig.Starttls.OFF, certificates, passwordFile, protocols, ciphers, preferServerCiphers,
        ecdhCurve, dhparam, sessionCache, sessionTimeout, sessionTickets, sessionTicketKeys, verifyClient, verifyDepth,
        clientCertificate, trustedCertificate, crl, sniCertificates, confCommands);
  }

  static BackendTlsConfig backend(boolean verify, Optional<Path> trusted) {
    return new BackendTlsConfig(BackendTlsConfig.Mode.ON, verify, trusted, Optional.empty(), Optional.empty(),
        Optional.empty(), List.of("TLSv1.2", "TLSv1.3"), true);
  }
}
