package io.mailgate.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The soak's users, read from a file of {@code user:password:token} lines (written by run-soak.sh, which gives
 * Dovecot the same users and passwords): the load generator logs in with them, the auth service checks them.
 */
final class SoakAccounts {

  /** One user: the password Dovecot knows, and the bearer token the auth service accepts for it. */
  record Account(String user, String password, String token) {}

  private final List<Account> list;
  private final Map<String, Account> byUser;

  private SoakAccounts(List<Account> list) {
    this.list = Collections.unmodifiableList(list);
    Map<String, Account> map = new LinkedHashMap<>();
    for (Account a : list) {
      map.put(a.user(), a);
    }
    this.byUser = map;
  }

  /** Reads {@code file}; blank lines and lines starting with {@code #} are skipped. */
  static SoakAccounts read(Path file) throws IOException {
    List<Account> accounts = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split(":", -1);
      if (f.length != 3 || f[0].isEmpty() || f[1].isEmpty() || f[2].isEmpty()) {
        throw new IOException(file + ": expected user:password:token, got a line with " + f.length + " fields");
      }
      accounts.add(new Account(f[0], f[1], f[2]));
    }
    if (accounts.isEmpty()) {
      throw new IOException(file + ": no users");
    }
    return new SoakAccounts(accounts);
  }

  /** Accounts from a list (tests). */
  static SoakAccounts of(List<Account> accounts) {
    return new SoakAccounts(new ArrayList<>(accounts));
  }

  List<Account> all() {
    return list;
  }

  Account get(int i) {
    return list.get(Math.floorMod(i, list.size()));
  }

  /** The account of {@code user}, or null. */
  Account find(String user) {
    return byUser.get(user);
  }

  int size() {
    return list.size();
  }

  /** RFC 2195: the lower-case hex HMAC-MD5 of the challenge keyed with the password. */
  static String cramMd5(String password, String challenge) {
    try {
      Mac mac = Mac.getInstance("HmacMD5");
      mac.init(new SecretKeySpec(password.getBytes(StandardCharsets.UTF_8), "HmacMD5"));
      byte[] d = mac.doFinal(challenge.getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder(32);
      for (byte b : d) {
        hex.append(Character.forDigit((b >> 4) & 15, 16)).append(Character.forDigit(b & 15, 16));
      }
      return hex.toString();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
