package io.mailgate.smtp;

import java.util.Locale;
import java.util.Optional;

/** The SMTP commands the front end recognises before login (the set nginx's parser knows). */
enum SmtpVerb {
  HELO, EHLO, QUIT, AUTH, NOOP, MAIL, RSET, RCPT, VRFY, EXPN, HELP, STARTTLS;

  /** The longest verb, in letters: anything longer is not a command. */
  static final int MAX_LENGTH = 8;

  /** The verb spelled by {@code letters}, case-insensitively. */
  static Optional<SmtpVerb> of(CharSequence letters) {
    String upper = letters.toString().toUpperCase(Locale.ROOT);
    for (SmtpVerb verb : values()) {
      if (verb.name().equals(upper)) {
        return Optional.of(verb);
      }
    }
    return Optional.empty();
  }
}
