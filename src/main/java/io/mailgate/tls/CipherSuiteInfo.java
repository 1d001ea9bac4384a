package io.mailgate.tls;

import java.util.List;

/**
 * A TLS 1.2-or-older cipher suite described by the parts of its OpenSSL name, as OpenSSL's cipher-string aliases
 * see it.
 *
 * @param name the OpenSSL name, e.g. {@code ECDHE-RSA-AES128-GCM-SHA256}
 * @param kx key exchange: kRSA, kECDHE, kDHE, kPSK, kECDHEPSK, kDHEPSK, kRSAPSK, kECDH
 * @param auth authentication: aRSA, aECDSA, aDSS, aPSK, aNULL
 * @param enc cipher family: AESGCM, AESCCM, AESCCM8, AES, CHACHA20, CAMELLIA, ARIA, 3DES, DES, RC4, SEED, IDEA, NULL
 * @param mac AEAD, SHA1, SHA256, SHA384, MD5
 * @param bits the strength in bits (3DES: 112)
 */
record CipherSuiteInfo(String name, String kx, String auth, String enc, String mac, int bits) {

  private static final List<String[]> PREFIXES = List.of(
      new String[] {"ECDHE-ECDSA-", "kECDHE", "aECDSA"}, new String[] {"ECDHE-RSA-", "kECDHE", "aRSA"},
      new String[] {"ECDHE-PSK-", "kECDHEPSK", "aPSK"}, new String[] {"DHE-RSA-", "kDHE", "aRSA"},
      new String[] {"DHE-DSS-", "kDHE", "aDSS"}, new String[] {"DHE-PSK-", "kDHEPSK", "aPSK"},
      new String[] {"EDH-RSA-", "kDHE", "aRSA"}, new String[] {"EDH-DSS-", "kDHE", "aDSS"},
      new String[] {"RSA-PSK-", "kRSAPSK", "aRSA"}, new String[] {"PSK-", "kPSK", "aPSK"},
      new String[] {"AECDH-", "kECDHE", "aNULL"}, new String[] {"ADH-", "kDHE", "aNULL"},
      new String[] {"ECDH-ECDSA-", "kECDH", "aECDSA"}, new String[] {"ECDH-RSA-", "kECDH", "aRSA"},
      // OpenSSL's name for ECDHE-RSA with ARIA.
      new String[] {"ECDHE-", "kECDHE", "aRSA"});

  /** Parses an OpenSSL cipher name; names without a key-exchange prefix use RSA key transport. */
  static CipherSuiteInfo parse(String name) {
    String kx = "kRSA";
    String auth = "aRSA";
    String rest = name;
    for (String[] prefix : PREFIXES) {
      if (name.startsWith(prefix[0])) {
        kx = prefix[1];
        auth = prefix[2];
        rest = name.substring(prefix[0].length());
        break;
      }
    }
    String enc;
    int bits;
    if (rest.startsWith("AES128-GCM") || rest.startsWith("AES256-GCM")) {
      enc = "AESGCM";
      bits = rest.startsWith("AES128") ? 128 : 256;
    } else if (rest.contains("CCM8")) {
      enc = "AESCCM8";
      bits = rest.startsWith("AES128") ? 128 : 256;
    } else if (rest.contains("CCM")) {
      enc = "AESCCM";
      bits = rest.startsWith("AES128") ? 128 : 256;
    } else if (rest.startsWith("CHACHA20")) {
      enc = "CHACHA20";
      bits = 256;
    } else if (rest.startsWith("AES128") || rest.startsWith("AES256")) {
      enc = "AES";
      bits = rest.startsWith("AES128") ? 128 : 256;
    } else if (rest.startsWith("CAMELLIA128") || rest.startsWith("CAMELLIA256")) {
      enc = "CAMELLIA";
      bits = rest.startsWith("CAMELLIA128") ? 128 : 256;
    } else if (rest.startsWith("ARIA128") || rest.startsWith("ARIA256")) {
      enc = "ARIA";
      bits = rest.startsWith("ARIA128") ? 128 : 256;
    } else if (rest.startsWith("DES-CBC3")) {
      enc = "3DES";
      bits = 112;
    } else if (rest.startsWith("DES-CBC")) {
      enc = "DES";
      bits = 56;
    } else if (rest.startsWith("RC4")) {
      enc = "RC4";
      bits = 128;
    } else if (rest.startsWith("SEED")) {
      enc = "SEED";
      bits = 128;
    } else if (rest.startsWith("IDEA")) {
      enc = "IDEA";
      bits = 128;
    } else if (rest.startsWith("NULL")) {
      enc = "NULL";
      bits = 0;
    } else {
      enc = "UNKNOWN";
      bits = 0;
    }
    String mac;
    if (enc.startsWith("AESGCM") || enc.startsWith("AESCCM") || enc.equals("CHACHA20") || rest.contains("GCM")) {
      mac = "AEAD";
    } else if (rest.endsWith("-SHA256")) {
      mac = "SHA256";
    } else if (rest.endsWith("-SHA384")) {
      mac = "SHA384";
    } else if (rest.endsWith("-MD5")) {
      mac = "MD5";
    } else {
      mac = "SHA1";
    }
    return new CipherSuiteInfo(name, kx, auth, enc, mac, bits);
  }

  /** Only usable with TLS 1.2 (AEAD or SHA-2 MACs). */
  boolean tls12Only() {
    return mac.equals("AEAD") || mac.equals("SHA256") || mac.equals("SHA384");
  }

  /** Ephemeral (EC)DH key exchange, as OpenSSL's SSL_kECDHE | SSL_kDHE. */
  boolean forwardSecret() {
    return kx.equals("kECDHE") || kx.equals("kDHE");
  }
}
