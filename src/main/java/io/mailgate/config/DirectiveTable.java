package io.mailgate.config;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Every directive mailgate knows, and the generic checks nginx runs before a directive's own handler, in nginx's
 * order: known name, allowed context, block or {@code ;}, argument count, duplicate in the same block.
 */
final class DirectiveTable {

  private static final Set<Context> MAIN = EnumSet.of(Context.MAIN);
  private static final Set<Context> EVENTS = EnumSet.of(Context.EVENTS);
  private static final Set<Context> MAIL = EnumSet.of(Context.MAIL);
  private static final Set<Context> SERVER = EnumSet.of(Context.SERVER);
  private static final Set<Context> MAIL_SERVER = EnumSet.of(Context.MAIL, Context.SERVER);
  private static final int MANY = DirectiveSpec.MANY;

  private static final Map<String, DirectiveSpec> SPECS = new HashMap<>();

  static {
    simple("worker_processes", MAIN, 1, 1);
    simple("pid", MAIN, 1, 1);
    simple("metrics_listen", MAIN, 1, 1);
    repeatable("error_log", EnumSet.of(Context.MAIN, Context.MAIL, Context.SERVER), 1, MANY);
    simple("daemon", MAIN, 1, 1);
    simple("shutdown_timeout", MAIN, 1, 1);
    simple("worker_shutdown_timeout", MAIN, 1, 1);
    block("events", MAIN, false);
    block("mail", MAIN, false);
    ignoredBlock("http");
    ignoredBlock("stream");
    ignored("user", MAIN, 1, 2);
    ignored("worker_rlimit_nofile", MAIN, 1, 1);
    ignored("pcre_jit", MAIN, 1, 1);
    ignored("load_module", MAIN, 1, 1);
    ignored("env", MAIN, 1, 1);
    ignored("timer_resolution", MAIN, 1, 1);
    ignored("thread_pool", MAIN, 2, 3);
    ignored("ssl_engine", MAIN, 1, 1);
    ignored("lock_file", MAIN, 1, 1);
    ignored("working_directory", MAIN, 1, 1);
    ignored("debug_points", MAIN, 1, 1);
    ignored("worker_cpu_affinity", MAIN, 1, MANY);
    ignored("worker_priority", MAIN, 1, 1);
    ignored("master_process", MAIN, 1, 1);

    simple("worker_connections", EVENTS, 1, 1);
    ignored("use", EVENTS, 1, 1);
    ignored("multi_accept", EVENTS, 1, 1);
    ignored("accept_mutex", EVENTS, 1, 1);
    ignored("accept_mutex_delay", EVENTS, 1, 1);
    ignored("debug_connection", EVENTS, 1, 1);
    ignored("worker_aio_requests", EVENTS, 1, 1);

    block("server", MAIL, true);
    repeatable("listen", SERVER, 1, MANY);
    simple("protocol", SERVER, 1, 1);
    for (String name : new String[] {
        "server_name", "timeout", "proxy_timeout", "proxy_buffer", "proxy_pass_error_message", "max_errors",
        "max_commands",
        "auth_http_timeout", "auth_http_connect_timeout", "auth_http_idle_timeout", "auth_http_balance",
        "auth_http_down_time", "auth_http_pass_client_cert", "auth_http_keepalive", "oauth_fastmail_compat",
        "imap_client_buffer", "pop3_client_buffer", "smtp_client_buffer", "smtp_greeting_delay", "xclient",
        "proxy_smtp_auth", "ssl", "starttls"}) {
      simple(name, MAIL_SERVER, 1, 1);
    }
    tls();
    BuiltinAuthDirectives.SINGLE.forEach(name -> simple(name, MAIL_SERVER, 1, 1));
    BuiltinAuthDirectives.LISTS.forEach(name -> simple(name, MAIL_SERVER, 1, MANY));
    simple("auth_oauth_introspection", MAIL_SERVER, 3, 3);
    simple("proxy_backend_master", MAIL_SERVER, 2, 2);
    repeatable("auth_http_header", MAIL_SERVER, 2, 2);
    // One line per auth service (nginx allows one line with the URL alone); the rest are per-service parameters.
    repeatable("auth_http", MAIL_SERVER, 1, 4);
    // nginx appends repeated *_auth (a bitmask) and *_capabilities (an array) lines of one block.
    for (String name : new String[] {
        "imap_auth", "imap_capabilities", "pop3_auth", "pop3_capabilities", "smtp_auth", "smtp_capabilities"}) {
      repeatable(name, MAIL_SERVER, 1, MANY);
    }
    simple("resolver", MAIL_SERVER, 1, MANY);
    simple("resolver_timeout", MAIL_SERVER, 1, 1);
    simple("proxy_protocol", MAIL_SERVER, 1, 1);
    simple("proxy_connect_timeout", MAIL_SERVER, 1, 1);
    simple("proxy_client_identity", MAIL_SERVER, 1, 1);
    simple("imap_id_fields", MAIL_SERVER, 2, MANY);
    ThrottleDirectives.SINGLE.forEach(name -> simple(name, MAIL_SERVER, 1, 1));
    ThrottleDirectives.REPEATABLE.forEach(name -> repeatable(name, MAIL_SERVER, 1, 1));
    repeatable("set_real_ip_from", MAIL_SERVER, 1, 1);
    ignored("real_ip_header", MAIL_SERVER, 1, 1);
    ignored("proxy", MAIL_SERVER, 1, 1);
    simple("access_log", MAIL_SERVER, 1, 1);
    simple("access_log_format", MAIL_SERVER, 1, 1);
  }

  private DirectiveTable() {}

  /** ngx_mail_ssl_module's directives, mailgate's {@code ssl_sni_certificate}, mailgate's {@code proxy_ssl*} and
   * {@code auth_http_ssl*}. */
  private static void tls() {
    for (String name : new String[] {
        "ssl_password_file", "ssl_ciphers", "ssl_prefer_server_ciphers", "ssl_ecdh_curve", "ssl_dhparam",
        "ssl_session_timeout", "ssl_session_tickets", "ssl_verify_client", "ssl_verify_depth",
        "ssl_client_certificate", "ssl_trusted_certificate", "ssl_crl",
        "proxy_ssl", "proxy_ssl_verify", "proxy_ssl_trusted_certificate", "proxy_ssl_name", "proxy_ssl_certificate",
        "proxy_ssl_certificate_key", "proxy_ssl_password_file", "proxy_ssl_session_reuse",
        "auth_http_ssl_verify", "auth_http_ssl_trusted_certificate", "auth_http_ssl_name", "auth_http_ssl_certificate",
        "auth_http_ssl_certificate_key", "auth_http_ssl_password_file", "auth_http_ssl_session_reuse"}) {
      simple(name, MAIL_SERVER, 1, 1);
    }
    // nginx's array slots: each line adds one entry.
    for (String name : new String[] {"ssl_certificate", "ssl_certificate_key", "ssl_session_ticket_key"}) {
      repeatable(name, MAIL_SERVER, 1, 1);
    }
    // A bitmask slot ORs repeated lines; ssl_session_cache's handler combines repeated lines too.
    repeatable("ssl_protocols", MAIL_SERVER, 1, MANY);
    repeatable("proxy_ssl_protocols", MAIL_SERVER, 1, MANY);
    repeatable("auth_http_ssl_protocols", MAIL_SERVER, 1, MANY);
    repeatable("ssl_session_cache", MAIL_SERVER, 1, 2);
    repeatable("ssl_conf_command", MAIL_SERVER, 2, 2);
    repeatable("ssl_sni_certificate", MAIL_SERVER, 3, 3);
  }

  private static void put(DirectiveSpec spec) {
    SPECS.put(spec.name(), spec);
  }

  private static void simple(String name, Set<Context> where, int min, int max) {
    put(new DirectiveSpec(name, where, min, max, false, false, false));
  }

  private static void repeatable(String name, Set<Context> where, int min, int max) {
    put(new DirectiveSpec(name, where, min, max, false, true, false));
  }

  private static void block(String name, Set<Context> where, boolean repeatable) {
    put(new DirectiveSpec(name, where, 0, 0, true, repeatable, false));
  }

  private static void ignored(String name, Set<Context> where, int min, int max) {
    put(new DirectiveSpec(name, where, min, max, false, true, true));
  }

  private static void ignoredBlock(String name) {
    put(new DirectiveSpec(name, MAIN, 0, 0, true, true, true));
  }

  /**
   * Runs the generic checks for a directive in a context and returns its spec.
   *
   * @param seen names already used in the same block, for the duplicate check; updated
   */
  static DirectiveSpec check(Directive d, Context context, Set<String> seen) throws ConfigException {
    DirectiveSpec spec = SPECS.get(d.name());
    if (spec == null) {
      throw d.error("unknown directive \"" + d.name() + "\"");
    }
    if (!spec.contexts().contains(context)) {
      throw d.error("\"" + d.name() + "\" directive is not allowed here");
    }
    if (spec.block() && d.block().isEmpty()) {
      throw d.error("directive \"" + d.name() + "\" has no opening \"{\"");
    }
    if (!spec.block() && d.block().isPresent()) {
      throw d.error("directive \"" + d.name() + "\" is not terminated by \";\"");
    }
    int n = d.args().size();
    if (n < spec.minArgs() || n > spec.maxArgs()) {
      throw d.error("invalid number of arguments in \"" + d.name() + "\" directive");
    }
    if (!spec.repeatable() && !seen.add(d.name())) {
      throw d.error("\"" + d.name() + "\" directive is duplicate");
    }
    return spec;
  }
}
