package io.mailgate.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;

/**
 * Certificate fields printed as nginx prints them with OpenSSL: DNs with {@code X509_NAME_print_ex(XN_FLAG_RFC2253)}
 * (reversed RDNs, OpenSSL short names such as {@code emailAddress}, bytes >= 0x80 and controls as {@code \XX}),
 * serials with {@code i2a_ASN1_INTEGER} (upper-case hex, even length), SHA-1 fingerprints in lower-case hex, and
 * {@code PEM_write_bio_X509} output.
 */
final class OpenSslFormat {
  private static final Map<String, String> SHORT_NAMES = Map.ofEntries(
      Map.entry("2.5.4.3", "CN"), Map.entry("2.5.4.6", "C"), Map.entry("2.5.4.7", "L"), Map.entry("2.5.4.8", "ST"),
      Map.entry("2.5.4.10", "O"), Map.entry("2.5.4.11", "OU"), Map.entry("2.5.4.9", "street"),
      Map.entry("2.5.4.5", "serialNumber"), Map.entry("2.5.4.4", "SN"), Map.entry("2.5.4.42", "GN"),
      Map.entry("2.5.4.12", "title"), Map.entry("2.5.4.43", "initials"), Map.entry("2.5.4.44", "generationQualifier"),
      Map.entry("2.5.4.46", "dnQualifier"), Map.entry("2.5.4.65", "pseudonym"), Map.entry("2.5.4.17", "postalCode"),
      Map.entry("2.5.4.13", "description"), Map.entry("2.5.4.15", "businessCategory"), Map.entry("2.5.4.41", "name"),
      Map.entry("2.5.4.97", "organizationIdentifier"), Map.entry("0.9.2342.19200300.100.1.25", "DC"),
      Map.entry("0.9.2342.19200300.100.1.1", "UID"), Map.entry("1.2.840.113549.1.9.1", "emailAddress"),
      Map.entry("1.3.6.1.4.1.311.60.2.1.1", "jurisdictionL"), Map.entry("1.3.6.1.4.1.311.60.2.1.2", "jurisdictionST"),
      Map.entry("1.3.6.1.4.1.311.60.2.1.3", "jurisdictionC"));
  private static final String RFC2253_SPECIALS = ",+\"\\<>;";

  private OpenSslFormat() {}

  /** The DN as X509_NAME_print_ex(XN_FLAG_RFC2253) writes it, e.g. {@code emailAddress=a@b,CN=x,O=y}. */
  static String rfc2253(X500Principal principal) {
    RDN[] rdns = X500Name.getInstance(principal.getEncoded()).getRDNs();
    StringBuilder out = new StringBuilder();
    for (int i = rdns.length - 1; i >= 0; i--) {
      if (out.length() > 0) {
        out.append(',');
      }
      AttributeTypeAndValue[] values = rdns[i].getTypesAndValues();
      for (int j = 0; j < values.length; j++) {
        if (j > 0) {
          out.append('+');
        }
        appendAttribute(out, values[j]);
      }
    }
    return out.toString();
  }

  private static void appendAttribute(StringBuilder out, AttributeTypeAndValue attribute) {
    String oid = attribute.getType().getId();
    String name = SHORT_NAMES.get(oid);
    ASN1Encodable value = attribute.getValue();
    if (name == null || !(value instanceof ASN1String)) {
      // XN_FLAG_DUMP_UNKNOWN_FIELDS with ASN1_STRFLGS_DUMP_DER: the OID and the value's DER in hex.
      out.append(name == null ? oid : name).append("=#");
      try {
        out.append(HexFormat.of().withUpperCase().formatHex(value.toASN1Primitive().getEncoded(ASN1Encoding.DER)));
      } catch (IOException e) {
        throw new IllegalStateException("re-encoding a parsed value cannot fail", e);
      }
      return;
    }
    out.append(name).append('=');
    escape(out, ((ASN1String) value).getString());
  }

  /** ASN1_STRFLGS_RFC2253: RFC 2253 specials with a backslash, controls and non-ASCII bytes as {@code \XX}. */
  private static void escape(StringBuilder out, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i++) {
      int b = bytes[i] & 0xff;
      boolean edge = (i == 0 && (b == '#' || b == ' ')) || (i == bytes.length - 1 && b == ' ');
      if (b >= 0x80 || b < 0x20 || b == 0x7f) {
        out.append('\\').append(String.format(Locale.ROOT, "%02X", b));
      } else if (edge || RFC2253_SPECIALS.indexOf(b) >= 0) {
        out.append('\\').append((char) b);
      } else {
        out.append((char) b);
      }
    }
  }

  /** i2a_ASN1_INTEGER: upper-case hex with an even number of digits ({@code 00} for zero), {@code -} if negative. */
  static String serial(BigInteger serial) {
    String hex = serial.abs().toString(16).toUpperCase(Locale.ROOT);
    if (hex.length() % 2 == 1) {
      hex = "0" + hex;
    }
    return serial.signum() < 0 ? "-" + hex : hex;
  }

  /** The SHA-1 of the DER certificate in lower-case hex without separators (ngx_ssl_get_fingerprint). */
  static String fingerprint(X509Certificate cert) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(cert.getEncoded()));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException("SHA-1 and a parsed certificate's encoding are always available", e);
    }
  }

  /** PEM_write_bio_X509: 64-column base64 between BEGIN/END lines, LF line ends, final LF. */
  static String pem(X509Certificate cert) {
    try {
      String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
          .encodeToString(cert.getEncoded());
      return "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n";
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("a parsed certificate can be re-encoded", e);
    }
  }
}
