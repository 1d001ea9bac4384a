/**
 * The demo configuration's embedded pieces: a read-only IMAP mail store ({@link io.mailgate.demo.DemoMailStore}), a
 * bearer-token issuer ({@link io.mailgate.demo.DemoTokenIssuer}) and the {@code mailgate token} command. None of it is
 * meant for production.
 */
package io.mailgate.demo;
