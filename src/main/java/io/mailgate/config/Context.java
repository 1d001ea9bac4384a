package io.mailgate.config;

/** The configuration contexts mailgate binds; {@code http {}} and {@code stream {}} are skipped unread. */
enum Context {
  /** Top level of the main file. */
  MAIN,
  /** {@code events {}}. */
  EVENTS,
  /** {@code mail {}}. */
  MAIL,
  /** {@code mail { server {} }}. */
  SERVER
}
