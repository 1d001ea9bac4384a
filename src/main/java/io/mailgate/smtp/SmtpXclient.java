package io.mailgate.smtp;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What {@code xclient on} tells an SMTP backend about the client, and the {@code XCLIENT} command that carries it
 * (Postfix XCLIENT_README). A backend whose EHLO lists XCLIENT with attribute names gets exactly those it lists, of
 * ADDR, PORT, PROTO, HELO, LOGIN, NAME, DESTADDR and DESTPORT: Postfix answers any other name with {@code 501 Bad
 * XCLIENT attribute name}. Any other backend (XCLIENT without names, or none: nginx-tests' fake says {@code 250 hello
 * ok}) gets nginx's own {@code XCLIENT ADDR= [LOGIN=] NAME=}, byte for byte.
 *
 * <p>Values are xtext (RFC 3461 §4, {@link Xtext}); an address is bare, an IPv6 one prefixed with {@code IPV6:}; what
 * is unknown is {@code [UNAVAILABLE]}, as the README says, e.g. the address and port of a client on a unix socket.
 * Postfix refuses a value longer than 255 octets as sent, so such a HELO is left out and such a NAME or LOGIN sent as
 * {@code [UNAVAILABLE]}. Everything goes in one command: Postfix resets HELO, PROTO and the login of every XCLIENT
 * command that does not carry them, and re-checks its authorization after each, so a second command cannot add to the
 * first. To stay within the 512 octets of a command line (RFC 5321 §4.5.3.1.4, which the README repeats), HELO is left
 * out first (the client's HELO/EHLO sent after XCLIENT gives it again), then NAME is sent as {@code [UNAVAILABLE]}.
 *
 * @param nginxAddress {@code ADDR=} of nginx's form: the client's IP as text ({@code IPV6:} prefix included)
 * @param client the client's address and port; empty for a client on a unix socket
 * @param name the client's host name from the {@code resolver}, or {@code [UNAVAILABLE]} / {@code [TEMPUNAVAIL]}
 * @param helo the argument of the client's HELO/EHLO, if it sent one
 * @param esmtp the client said EHLO
 * @param destination the address the client connected to ({@code ClientSession.connectedAddress()}); empty for a
 *     unix socket
 */
record SmtpXclient(String nginxAddress, Optional<InetSocketAddress> client, String name, Optional<byte[]> helo,
    boolean esmtp, Optional<InetSocketAddress> destination) {

  /** RFC 5321 §4.5.3.1.4: a command line, CRLF included, is at most 512 octets. */
  static final int COMMAND_LINE_LIMIT = 512;
  /** Postfix's smtpd: "501 5.5.4 Error: attribute value too long" beyond this (the xtext as sent). */
  static final int VALUE_LIMIT = 255;
  static final String UNAVAILABLE = "[UNAVAILABLE]";

  /** nginx's {@code XCLIENT ADDR=... [LOGIN=...] NAME=...}, without CRLF. */
  String nginxCommand(Optional<byte[]> login) {
    StringBuilder command = new StringBuilder("XCLIENT ADDR=").append(Xtext.encode(nginxAddress));
    login.ifPresent(l -> command.append(" LOGIN=").append(Xtext.encode(l)));
    return command.append(" NAME=").append(Xtext.encode(name)).toString();
  }

  /**
   * The command for a backend that listed {@code offered} (its XCLIENT attribute names, any case), without CRLF; the
   * attributes in a fixed order, of those offered. Empty when it offers none that mailgate knows.
   *
   * @param login the login to pass as {@code LOGIN=}, if any (the caller applies nginx's rule)
   */
  Optional<String> command(List<String> offered, Optional<byte[]> login) {
    List<String> names = offered.stream().map(n -> n.toUpperCase(Locale.ROOT)).toList();
    String helloValue = helo.map(Xtext::encode).filter(v -> v.length() <= VALUE_LIMIT).orElse(null);
    String nameValue = bounded(Xtext.encode(name));
    String loginValue = login.map(l -> bounded(Xtext.encode(l))).orElse(null);
    String line = build(names, helloValue, nameValue, loginValue);
    if (line.length() + 2 > COMMAND_LINE_LIMIT) {
      line = build(names, null, nameValue, loginValue);
    }
    if (line.length() + 2 > COMMAND_LINE_LIMIT) {
      line = build(names, null, UNAVAILABLE, loginValue);
    }
    return line.equals("XCLIENT") ? Optional.empty() : Optional.of(line);
  }

  private String build(List<String> offered, String heloValue, String nameValue, String loginValue) {
    List<String> attributes = new ArrayList<>();
    if (offered.contains("ADDR")) {
      attributes.add("ADDR=" + client.map(c -> address(c.getAddress())).orElse(UNAVAILABLE));
    }
    if (offered.contains("PORT")) {
      attributes.add("PORT=" + client.map(c -> Integer.toString(c.getPort())).orElse(UNAVAILABLE));
    }
    if (offered.contains("PROTO") && helo.isPresent()) {
      // What the client spoke; Postfix logs it (proto=) and its smtpd_*_restrictions may test it.
      attributes.add("PROTO=" + (esmtp ? "ESMTP" : "SMTP"));
    }
    if (offered.contains("HELO") && heloValue != null) {
      attributes.add("HELO=" + heloValue);
    }
    if (offered.contains("LOGIN") && loginValue != null) {
      attributes.add("LOGIN=" + loginValue);
    }
    if (offered.contains("NAME")) {
      attributes.add("NAME=" + nameValue);
    }
    if (offered.contains("DESTADDR")) {
      attributes.add("DESTADDR=" + destination.map(d -> address(d.getAddress())).orElse(UNAVAILABLE));
    }
    if (offered.contains("DESTPORT")) {
      attributes.add("DESTPORT=" + destination.map(d -> Integer.toString(d.getPort())).orElse(UNAVAILABLE));
    }
    StringBuilder line = new StringBuilder("XCLIENT");
    attributes.forEach(a -> line.append(' ').append(a));
    return line.toString();
  }

  private static String bounded(String xtext) {
    return xtext.length() <= VALUE_LIMIT ? xtext : UNAVAILABLE;
  }

  private static String address(InetAddress address) {
    return address == null ? UNAVAILABLE : addressText(NetUtil.toAddressString(address));
  }

  /** Postfix XCLIENT_README: an IPv6 address as {@code IPV6:<address>}, in its compressed form (RFC 5952). */
  static String addressText(String ip) {
    if (ip.indexOf(':') < 0) {
      return ip;
    }
    String bare = ip.indexOf('%') < 0 ? ip : ip.substring(0, ip.indexOf('%'));
    InetAddress parsed = NetUtil.createInetAddressFromIpAddressString(bare);
    return "IPV6:" + (parsed == null ? bare : NetUtil.toAddressString(parsed));
  }
}
