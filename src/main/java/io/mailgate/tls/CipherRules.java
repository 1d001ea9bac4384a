package io.mailgate.tls;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Expands an OpenSSL cipher string ({@code ssl_ciphers}, e.g. nginx's default {@code HIGH:!aNULL:!MD5}) against the
 * TLS 1.2-and-older suites a provider offers, following OpenSSL's grammar: elements separated by {@code :} (or
 * {@code ,} and spaces); {@code !X} removes for good, {@code -X} removes, {@code +X} moves to the end, a bare
 * {@code X} appends; {@code A+B} is the intersection; {@code @STRENGTH} sorts by strength; {@code @SECLEVEL=n} is
 * ignored. Unknown names match nothing, as in OpenSSL. TLS 1.3 suites are not governed by cipher strings.
 */
final class CipherRules {
  private static final Map<String, Predicate<CipherSuiteInfo>> ALIASES = aliases();

  private CipherRules() {}

  /** The OpenSSL names selected by {@code rules}, in OpenSSL's order; empty when nothing matches. */
  static List<String> expand(String rules, List<String> available) {
    List<CipherSuiteInfo> all = new ArrayList<>();
    for (String name : available) {
      CipherSuiteInfo info = CipherSuiteInfo.parse(name);
      if (!info.enc().equals("UNKNOWN")) {
        all.add(info);
      }
    }
    all.sort(defaultOrder());
    List<CipherSuiteInfo> selected = new ArrayList<>();
    Set<CipherSuiteInfo> killed = new HashSet<>();
    for (String element : rules.split("[:, ]+")) {
      if (element.isEmpty()) {
        continue;
      }
      if (element.startsWith("@")) {
        if (element.equalsIgnoreCase("@STRENGTH")) {
          selected.sort(Comparator.comparingInt(CipherSuiteInfo::bits).reversed());
        }
        continue;
      }
      char op = element.charAt(0);
      String body = op == '!' || op == '-' || op == '+' ? element.substring(1) : element;
      Predicate<CipherSuiteInfo> matcher = matcher(body);
      List<CipherSuiteInfo> matched = all.stream().filter(matcher).toList();
      switch (op) {
        case '!' -> {
          selected.removeAll(matched);
          killed.addAll(matched);
        }
        case '-' -> selected.removeAll(matched);
        case '+' -> {
          List<CipherSuiteInfo> moved = selected.stream().filter(matcher).toList();
          selected.removeAll(moved);
          selected.addAll(moved);
        }
        default -> {
          for (CipherSuiteInfo info : matched) {
            if (!killed.contains(info) && !selected.contains(info)) {
              selected.add(info);
            }
          }
        }
      }
    }
    return selected.stream().map(CipherSuiteInfo::name).toList();
  }

  private static Predicate<CipherSuiteInfo> matcher(String body) {
    Predicate<CipherSuiteInfo> result = info -> true;
    for (String part : body.split("\\+")) {
      // Keys are upper case; OpenSSL's mixed-case aliases (aNULL, kRSA, ...) do not collide once upper-cased.
      Predicate<CipherSuiteInfo> alias = ALIASES.get(part.toUpperCase(Locale.ROOT));
      Predicate<CipherSuiteInfo> one = alias != null ? alias : info -> info.name().equals(part);
      result = result.and(one);
    }
    return result;
  }

  /**
   * OpenSSL's default order (checked against {@code openssl ciphers}): forward-secret suites first, inside that AEAD,
   * then other TLS 1.2 suites, then the rest; inside each group the strongest first, then AES-GCM, ChaCha20, AES,
   * others; ECDHE before DHE, ECDSA before RSA; MD5, anonymous, RSA key transport, PSK and RC4 last.
   */
  private static Comparator<CipherSuiteInfo> defaultOrder() {
    return Comparator.comparingInt(CipherRules::bumpGroup)
        .thenComparing(Comparator.comparingInt(CipherSuiteInfo::bits).reversed())
        .thenComparingInt(CipherRules::tail)
        .thenComparingInt(CipherRules::encRank)
        .thenComparingInt(info -> info.kx().equals("kECDHE") ? 0 : info.kx().equals("kDHE") ? 1 : 2)
        .thenComparingInt(info -> info.auth().equals("aECDSA") ? 0 : info.auth().equals("aRSA") ? 1 : 2);
  }

  private static int bumpGroup(CipherSuiteInfo info) {
    int kind = info.mac().equals("AEAD") ? 0 : info.tls12Only() ? 1 : 2;
    return info.forwardSecret() ? kind : 3 + kind;
  }

  private static int tail(CipherSuiteInfo info) {
    if (info.enc().equals("RC4")) {
      return 5;
    }
    if (info.kx().equals("kPSK")) {
      return 4;
    }
    if (info.kx().equals("kRSA")) {
      return 3;
    }
    if (info.auth().equals("aNULL")) {
      return 2;
    }
    return info.mac().equals("MD5") ? 1 : 0;
  }

  private static int encRank(CipherSuiteInfo info) {
    return switch (info.enc()) {
      case "AESGCM" -> 0;
      case "CHACHA20" -> 1;
      case "AES", "AESCCM", "AESCCM8" -> 2;
      default -> 3;
    };
  }

  private static Map<String, Predicate<CipherSuiteInfo>> aliases() {
    Map<String, Predicate<CipherSuiteInfo>> a = new LinkedHashMap<>();
    Predicate<CipherSuiteInfo> eNull = i -> i.enc().equals("NULL");
    Predicate<CipherSuiteInfo> aNull = i -> i.auth().equals("aNULL");
    a.put("ALL", eNull.negate());
    a.put("COMPLEMENTOFALL", eNull);
    // OpenSSL 3 flags CCM, ARIA, Camellia and the legacy ciphers SSL_NOT_DEFAULT.
    Predicate<CipherSuiteInfo> notDefault = aNull.or(i -> Set.of("AESCCM", "AESCCM8", "ARIA", "CAMELLIA", "3DES", "RC4",
        "SEED", "IDEA", "DES").contains(i.enc()));
    a.put("DEFAULT", eNull.negate().and(notDefault.negate()));
    a.put("COMPLEMENTOFDEFAULT", eNull.negate().and(notDefault));
    a.put("HIGH", i -> Set.of("AESGCM", "AESCCM", "AESCCM8", "AES", "CHACHA20", "CAMELLIA", "ARIA").contains(i.enc()));
    a.put("MEDIUM", i -> Set.of("3DES", "RC4", "SEED", "IDEA").contains(i.enc()));
    a.put("LOW", i -> i.enc().equals("DES"));
    for (String none : List.of("EXPORT", "EXP", "EXPORT40", "EXPORT56", "SUITEB128", "SUITEB128ONLY",
        "SUITEB192", "SUITEB128C2", "KRB5", "SRP", "GOST", "FZA")) {
      a.put(none, i -> false);
    }
    a.put("ANULL", aNull);
    a.put("ENULL", eNull);
    a.put("NULL", eNull);
    a.put("MD5", i -> i.mac().equals("MD5"));
    a.put("SHA1", i -> i.mac().equals("SHA1"));
    a.put("SHA", i -> i.mac().equals("SHA1"));
    a.put("SHA256", i -> i.mac().equals("SHA256"));
    a.put("SHA384", i -> i.mac().equals("SHA384"));
    for (String enc : List.of("RC4", "3DES", "DES", "IDEA", "SEED", "CAMELLIA", "ARIA", "CHACHA20", "AESGCM")) {
      a.put(enc, i -> i.enc().equals(enc));
    }
    a.put("AESCCM", i -> i.enc().startsWith("AESCCM"));
    a.put("AESCCM8", i -> i.enc().equals("AESCCM8"));
    a.put("AES", i -> i.enc().startsWith("AES"));
    a.put("AES128", i -> i.enc().startsWith("AES") && i.bits() == 128);
    a.put("AES256", i -> i.enc().startsWith("AES") && i.bits() == 256);
    a.put("CAMELLIA128", i -> i.enc().equals("CAMELLIA") && i.bits() == 128);
    a.put("CAMELLIA256", i -> i.enc().equals("CAMELLIA") && i.bits() == 256);
    a.put("KRSA", i -> i.kx().equals("kRSA"));
    a.put("RSA", i -> i.kx().equals("kRSA"));
    a.put("ARSA", i -> i.auth().equals("aRSA"));
    Predicate<CipherSuiteInfo> kEcdhe = i -> i.kx().equals("kECDHE");
    Predicate<CipherSuiteInfo> kDhe = i -> i.kx().equals("kDHE");
    a.put("KECDHE", kEcdhe);
    a.put("KEECDH", kEcdhe);
    a.put("ECDHE", kEcdhe.and(aNull.negate()));
    a.put("EECDH", kEcdhe.and(aNull.negate()));
    a.put("AECDH", kEcdhe.and(aNull));
    a.put("KDHE", kDhe);
    a.put("KEDH", kDhe);
    a.put("DHE", kDhe.and(aNull.negate()));
    a.put("EDH", kDhe.and(aNull.negate()));
    a.put("ADH", kDhe.and(aNull));
    a.put("AECDSA", i -> i.auth().equals("aECDSA"));
    a.put("ECDSA", i -> i.auth().equals("aECDSA"));
    a.put("ADSS", i -> i.auth().equals("aDSS"));
    a.put("DSS", i -> i.auth().equals("aDSS"));
    a.put("PSK", i -> i.kx().endsWith("PSK") || i.auth().equals("aPSK"));
    a.put("KPSK", i -> i.kx().equals("kPSK"));
    a.put("KECDHEPSK", i -> i.kx().equals("kECDHEPSK"));
    a.put("KDHEPSK", i -> i.kx().equals("kDHEPSK"));
    a.put("KRSAPSK", i -> i.kx().equals("kRSAPSK"));
    a.put("APSK", i -> i.auth().equals("aPSK"));
    a.put("TLSV1.2", CipherSuiteInfo::tls12Only);
    a.put("TLSV1", i -> !i.tls12Only());
    a.put("TLSV1.0", i -> !i.tls12Only());
    a.put("SSLV3", i -> !i.tls12Only());
    return Map.copyOf(a);
  }
}
