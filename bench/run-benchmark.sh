#!/usr/bin/env bash
# Runs mailgate, nginx's mail module (default proxy_buffer and proxy_buffer 64k) and Dovecot's login proxy side by
# side against the same fake backends and auth service, alternating proxies for N rounds, and prints one table of
# medians. Everything listens on 127.0.0.1; every process started here is stopped on exit.
#
#   bench/run-benchmark.sh [--rounds N] [--quick] [--no-build] [--keep] [--proxies "nginx nginx-64k dovecot mailgate"]
#                          [--scenarios "base,variants,tls,w2"] [--workers "1 2"]
#                          [--idle-sessions "1000 9800"] [--idle-sources N] [--idle-hold 5s]
#
# --quick: one round, short windows (a smoke test; the numbers are not for quoting).
# --no-build: use the jars already in target/ (they are still copied first).
# --keep: leave the work folder (configs, logs, raw JSON results) in place.
# --scenarios: groups to run (comma- or space-separated; default all): base (IMAP LOGIN storms, relay, latency, idle),
#   variants (login storms c50: backend without LITERAL+, OAUTHBEARER, POP3, SMTP, auth service over HTTPS), tls
#   (IMAPS login storms c50: full handshakes, TLS 1.3 tickets, TLS 1.2 session cache), wN (N workers:
#   login storms, relay-fetch, latency; one group per count above 1 in --workers); relay and login (not in "all":
#   only relay-fetch and relay-append, or only the IMAP LOGIN storms at c50 and c500, for a quick side-by-side of a
#   relay or login-path change); idle (not in "all": only the idle rows, plaintext and implicit TLS, each size on a
#   freshly started proxy).
# --workers: worker counts (default "1 2"); 1 runs base and variants, each N above 1 adds the group wN.
# --idle-sessions: the idle sizes (default "1000 10000"); a size above what the descriptor limit allows (the proxy
#   holds two per session) is lowered to the largest that fits (9,800 under a hard limit of 20,000), and the table
#   says so. The RSS slope is taken between the smallest and the largest size.
# --idle-sources: loopback source addresses for the idle sessions (default 1: 127.0.0.1; N: 127.0.0.1..127.0.0.N),
#   for sizes beyond one address's ephemeral ports (about 28,000): the auth service then routes each session to a
#   backend on its client's address, so that the proxy's backend connections spread as well.
# --idle-hold: how long the idle sessions are held after the RSS sample (default 5s; longer to profile a proxy).
# Needs root (apt-get, ulimit -n, nginx/Dovecot as root) on Debian/Ubuntu, a JDK 17+, Maven, jq, python3, openssl.
set -euo pipefail

ROUNDS=5
QUICK=0
BUILD=1
KEEP=0
PROXIES="nginx nginx-64k dovecot mailgate"
SCENARIOS=all
WORKERS="1 2"
IDLE_SIZES="1000 10000"
IDLE_SOURCES=1
IDLE_HOLD=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --quick) QUICK=1; ROUNDS=1; shift ;;
    --no-build) BUILD=0; shift ;;
    --keep) KEEP=1; shift ;;
    --proxies) PROXIES="$2"; shift 2 ;;
    --scenarios) SCENARIOS="$2"; shift 2 ;;
    --workers) WORKERS="$2"; shift 2 ;;
    --idle-sessions) IDLE_SIZES="$2"; shift 2 ;;
    --idle-sources) IDLE_SOURCES="$2"; shift 2 ;;
    --idle-hold) IDLE_HOLD="$2"; shift 2 ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "run-benchmark: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$ROUNDS" in ''|*[!0-9]*) echo "run-benchmark: --rounds needs a number" >&2; exit 2 ;; esac
[ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 100 ] || { echo "run-benchmark: --rounds 1..100" >&2; exit 2; }
for p in $PROXIES; do
  case "$p" in nginx|nginx-64k|dovecot|mailgate) ;; *) echo "run-benchmark: unknown proxy $p" >&2; exit 2 ;; esac
done
# Groups: base, variants and tls run with one worker; wN with N workers (each N > 1 of --workers).
GROUPS_ALL=""
MULTI=() # worker counts above 1
for w in $WORKERS; do
  case "$w" in ''|*[!0-9]*|0) echo "run-benchmark: --workers takes counts 1..16" >&2; exit 2 ;; esac
  [ "$w" -le 16 ] || { echo "run-benchmark: --workers takes counts 1..16" >&2; exit 2; }
  if [ "$w" = 1 ]; then GROUPS_ALL="$GROUPS_ALL base variants tls"; else MULTI+=("$w"); GROUPS_ALL="$GROUPS_ALL w$w"; fi
done
[ "$SCENARIOS" = all ] && SCENARIOS=$GROUPS_ALL
SCENARIOS=" $(echo "$SCENARIOS" | tr ',' ' ' | xargs) "
for g in $SCENARIOS; do
  case " $GROUPS_ALL relay login idle " in *" $g "*) ;;
    *) echo "run-benchmark: scenario group $g is not one of:$GROUPS_ALL (see --workers)" >&2; exit 2 ;; esac
done
[ "$SCENARIOS" != "  " ] || { echo "run-benchmark: no scenario group selected" >&2; exit 2; }
want() { [[ "$SCENARIOS" == *" $1 "* ]]; }
want_idle() { want base || want idle; } # the idle rows run in base and in the idle group
for n in $IDLE_SIZES; do
  case "$n" in ''|*[!0-9]*|0) echo "run-benchmark: --idle-sessions takes session counts" >&2; exit 2 ;; esac
done
case "$IDLE_SOURCES" in ''|*[!0-9]*|0) echo "run-benchmark: --idle-sources takes a count 1..250" >&2; exit 2 ;; esac
[ "$IDLE_SOURCES" -le 250 ] || { echo "run-benchmark: --idle-sources takes a count 1..250" >&2; exit 2; }

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BASE_PORT=${BENCH_PORT_BASE:-21000}
P_BACKEND=$((BASE_PORT + 143)) P_AUTH=$((BASE_PORT + 80)) P_AUTH_TLS=$((BASE_PORT + 443))
P_B_POP3=$((BASE_PORT + 110)) P_B_SMTP=$((BASE_PORT + 25)) P_B_NOLP=$((BASE_PORT + 144))
P_NGINX=$((BASE_PORT + 1)) P_NGINX64=$((BASE_PORT + 2)) P_DOVECOT=$((BASE_PORT + 3)) P_MAILGATE=$((BASE_PORT + 4))
# The variants' listeners: POP3 +11..+14, SMTP +21..+24 (nginx, nginx-64k, Dovecot, mailgate), and mailgate's IMAP
# listener asking the auth service over HTTPS, +44; the tls group's IMAPS listener, +31..+34.
NOLP_USER=nolp@example.com # the auth service and Dovecot route this user to the backend without LITERAL+

# Scenario sizes: full runs vs --quick smoke runs. WARM: the warm-up login storm (not counted) after each start (a
# JVM compiles its hot paths in the first seconds of load: every proxy gets the same warm-up); VWARM: each variant's
# own warm-up; VSTORM: the variants' login storms; WSTORM, WRELAY: the wN groups' login storms and relay-fetch.
# A full 5-round run of every group takes about 75 minutes on 2 cores (about 15 minutes a round).
if [ "$QUICK" = 1 ]; then
  WARM="--warmup 1s --duration 3s"; STORM="--warmup 1s --duration 4s"; RELAY="--warmup 1s --duration 4s"
  VWARM="--warmup 1s --duration 2s"; VSTORM="--warmup 1s --duration 3s"
  WSTORM="--warmup 1s --duration 3s"; WRELAY="--warmup 1s --duration 3s"
  LAT_COUNT=3000; HOLD=2s
else
  WARM="--warmup 2s --duration 13s"; STORM="--warmup 2s --duration 12s"; RELAY="--warmup 2s --duration 10s"
  VWARM="--warmup 1s --duration 3s"; VSTORM="--warmup 2s --duration 8s"
  WSTORM="--warmup 2s --duration 8s"; WRELAY="--warmup 2s --duration 10s"
  LAT_COUNT=20000; HOLD=5s
fi

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# The idle scenario's largest size sets the descriptor limit: the load generator needs one descriptor per session,
# the proxy two (client and backend), the backend one. Root may raise the hard limit (raised here, for this script
# and what it starts only); where it cannot (no CAP_SYS_RESOURCE), the hard limit is used and the idle sizes that do
# not fit are lowered below. Every process started below inherits it.
IDLE_MAX=0
for n in $IDLE_SIZES; do [ "$n" -le "$IDLE_MAX" ] || IDLE_MAX=$n; done
NOFILE_WANT=$((2 * IDLE_MAX + 1000))
[ "$NOFILE_WANT" -ge 65536 ] || NOFILE_WANT=65536
ulimit -n "$NOFILE_WANT" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
NOFILE=$(ulimit -n)
[ "$NOFILE" -ge 20000 ] || { echo "run-benchmark: ulimit -n is $NOFILE; 20000 needed (run as root)" >&2; exit 1; }
# The largest idle size that fits: two descriptors per session in the proxy, 400 kept for its own files (listeners,
# jars, auth connections, logs), in hundreds.
IDLE_FIT=$(( (NOFILE - 400) / 2 / 100 * 100 ))
IDLE_CAPPED="" # "asked:ran" pairs, for the table's note
IDLE_RUN=""
for n in $IDLE_SIZES; do
  if [ "$n" -gt "$IDLE_FIT" ]; then IDLE_CAPPED="$IDLE_CAPPED $n:$IDLE_FIT"; n=$IDLE_FIT; fi
  case " $IDLE_RUN " in *" $n "*) ;; *) IDLE_RUN="$IDLE_RUN $n" ;; esac
done
IDLE_RUN=$(echo "$IDLE_RUN" | tr ' ' '\n' | sort -n | xargs)
# worker_connections (nginx and mailgate count both sides of a session) and Dovecot's client_limit: enough for the
# largest idle size, never below the 19,000 the other scenarios have always run with.
WCONN=$((2 * IDLE_MAX + 1000))
[ "$WCONN" -ge 19000 ] || WCONN=19000
IDLE_SRC_LIST=$(seq -f '127.0.0.%g' 1 "$IDLE_SOURCES" | paste -sd, -)

WORK=$(mktemp -d /tmp/mailgate-bench.XXXXXX)
chmod 755 "$WORK" # nginx workers (nobody) and Dovecot's login processes (dovenull) traverse it
RESULTS="$WORK/results.jsonl"
: > "$RESULTS"
STARTED=() # every process id started here (servers only; load generators are waited for)

stop_pid() { # TERM, then KILL after a bounded wait
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  for pid in "${STARTED[@]}"; do stop_pid "$pid"; done
  if [ "$KEEP" = 1 ]; then log "work folder kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_port() { # port [address]; bounded: 20 s
  local port=$1 addr=${2:-127.0.0.1} i
  for i in $(seq 1 200); do
    if (exec 3<>"/dev/tcp/$addr/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "run-benchmark: nothing listens on $addr:$port" >&2
  return 1
}

# ---------------------------------------------------------------------------------------------------------------
# Build, then copy the jars: a running JVM reads classes lazily from its jar, and a rebuild would rewrite it.
if [ "$BUILD" = 1 ]; then
  log "building mailgate (mvn install) and the bench jar (mvn package)"
  (cd "$ROOT" && mvn -B -q -DskipTests install)
  (cd "$ROOT/bench" && mvn -B -q package)
fi
mkdir -p "$WORK/mailgate/bin" "$WORK/mailgate/target" "$WORK/mailgate/logs"
cp "$ROOT/target/mailgate.jar" "$WORK/mailgate/target/mailgate.jar"
cp "$ROOT/bin/mailgate" "$WORK/mailgate/bin/mailgate" # the shipped launcher, JVM flags unchanged
cp "$ROOT/bench/target/mailgate-bench.jar" "$WORK/mailgate-bench.jar"
BJAR="$WORK/mailgate-bench.jar"

# ---------------------------------------------------------------------------------------------------------------
# Peers: Debian's nginx with the mail module, and Dovecot (IMAP, POP3 and submission login proxies).
need_pkgs=()
if [ ! -e /usr/lib/nginx/modules/ngx_mail_module.so ] && ! nginx -V 2>&1 | grep -q -- '--with-mail[^_]'; then
  if dpkg -s nginx-light >/dev/null 2>&1 && apt-cache policy libnginx-mod-mail | grep -q 'Candidate: [0-9]'; then
    need_pkgs+=(libnginx-mod-mail)
  else
    need_pkgs+=(nginx-full)
  fi
fi
command -v dovecot >/dev/null 2>&1 && [ -e /usr/lib/dovecot/imap-login ] || need_pkgs+=(dovecot-imapd)
[ -e /usr/lib/dovecot/pop3-login ] || need_pkgs+=(dovecot-pop3d)
[ -e /usr/lib/dovecot/submission-login ] || need_pkgs+=(dovecot-submissiond)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing ${need_pkgs[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_pkgs[@]}" >"$WORK/apt.log" 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_pkgs[@]}"; } \
    || log "could not install ${need_pkgs[*]}: the variants they serve are n/a"
fi
MAIL_MODULE=""
[ -e /usr/lib/nginx/modules/ngx_mail_module.so ] && MAIL_MODULE="load_module /usr/lib/nginx/modules/ngx_mail_module.so;"
DOVECOT_POP3=0 DOVECOT_SMTP=0
[ -e /usr/lib/dovecot/pop3-login ] && DOVECOT_POP3=1
[ -e /usr/lib/dovecot/submission-login ] && DOVECOT_SMTP=1

# The login-storm variants (group "variants"): key, protocol, LoadGen options. oauth-c50 is mailgate's alone: nginx
# 1.22 has no OAUTHBEARER, and Dovecot would need an oauth2 passdb with a token service. authtls-c50 (IMAP LOGIN, the
# auth service asked over HTTPS) is mailgate's alone too: nginx's auth_http is HTTP only, Dovecot has no auth_http.
VARIANTS=(login-c50-nolp oauth-c50 pop3-c50 smtp-c50 authtls-c50)
variant_proto() {
  case "$1" in pop3-c50) echo pop3 ;; smtp-c50) echo smtp ;; authtls-c50) echo imapat ;; *) echo imap ;; esac
}
variant_opts() {
  case "$1" in
    login-c50-nolp) echo "--user $NOLP_USER" ;;
    oauth-c50) echo "--auth oauthbearer" ;;
    pop3-c50) echo "--protocol pop3" ;;
    smtp-c50) echo "--protocol smtp --auth plain" ;;
  esac
}
supports() { # proxy key: 0 if the proxy can run the variant
  case "$1:$2" in
    nginx*:oauth-c50|dovecot:oauth-c50|nginx*:authtls-c50|dovecot:authtls-c50) return 1 ;;
    dovecot:pop3-c50) [ "$DOVECOT_POP3" = 1 ] ;;
    dovecot:smtp-c50) [ "$DOVECOT_SMTP" = 1 ] ;;
    *) return 0 ;;
  esac
}
NA="" # proxy:key pairs shown as n/a in the table
for p in nginx nginx-64k dovecot mailgate; do
  for k in "${VARIANTS[@]}"; do supports "$p" "$k" || NA="$NA $p:$k"; done
done

# ---------------------------------------------------------------------------------------------------------------
# Fake backends: the main one (IMAP with LITERAL+, POP3, SMTP with XCLIENT; 1 MiB message) and, for the variants, an
# IMAP backend without LITERAL+ (so a proxy's LOGIN to it needs synchronizing literals or quoted strings).
java -cp "$BJAR" io.mailgate.bench.FakeBackend --imap "127.0.0.1:$P_BACKEND" --pop3 "127.0.0.1:$P_B_POP3" \
  --smtp "127.0.0.1:$P_B_SMTP" --literal-plus on --message-size 1048576 --exit-after 6h >"$WORK/backend.log" 2>&1 &
STARTED+=($!)
wait_port "$P_BACKEND"
# With --idle-sources N, the same backend on 127.0.0.2..N too (the auth service routes a session to the backend on
# its client's address): one source address to one target holds only as many connections as it has ephemeral ports.
if want_idle && [ "$IDLE_SOURCES" -gt 1 ]; then
  for i in $(seq 2 "$IDLE_SOURCES"); do
    java -cp "$BJAR" io.mailgate.bench.FakeBackend --imap "127.0.0.$i:$P_BACKEND" --literal-plus on \
      --message-size 1048576 --exit-after 6h >"$WORK/backend-$i.log" 2>&1 &
    STARTED+=($!)
  done
  for i in $(seq 2 "$IDLE_SOURCES"); do wait_port "$P_BACKEND" "127.0.0.$i"; done
fi
if want variants; then
  java -cp "$BJAR" io.mailgate.bench.FakeBackend --imap "127.0.0.1:$P_B_NOLP" --literal-plus off \
    --message-size 1048576 --exit-after 6h >"$WORK/backend-nolp.log" 2>&1 &
  STARTED+=($!)
  wait_port "$P_B_NOLP"
fi

# A self-signed ECDSA P-256 certificate for the implicit-TLS variant, the tls group and idle rows (the same file for
# every proxy).
if want variants || want tls || want_idle; then
  mkdir -p "$WORK/tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=bench.example.com \
    -keyout "$WORK/tls/key.pem" -out "$WORK/tls/cert.pem" >"$WORK/tls/openssl.log" 2>&1
  chmod 644 "$WORK/tls/key.pem"
  # The auth service's own certificate for authtls-c50, for its address (mailgate checks the IP SAN and the chain).
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=auth.bench \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$WORK/tls/auth-key.pem" -out "$WORK/tls/auth-cert.pem" \
    >>"$WORK/tls/openssl.log" 2>&1
  chmod 644 "$WORK/tls/auth-key.pem"
fi

# The auth service: nginx's own http {}, keep-alive allowed (nginx's mail module sends HTTP/1.0 and closes anyway).
# The backend port follows Auth-Protocol, and $NOLP_USER's IMAP logins go to the backend without LITERAL+.
mkdir -p "$WORK/auth"
cat >"$WORK/auth/nginx.conf" <<EOF
daemon off;
worker_processes 1;
worker_rlimit_nofile $NOFILE;
pid $WORK/auth/nginx.pid;
error_log $WORK/auth/error.log warn;
events { worker_connections $WCONN; }
http {
  access_log off;
  client_body_temp_path $WORK/auth; proxy_temp_path $WORK/auth; fastcgi_temp_path $WORK/auth;
  uwsgi_temp_path $WORK/auth; scgi_temp_path $WORK/auth;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  # The backend's address: 127.0.0.1, or with --idle-sources the client's own loopback address (see the backends).
  map \$http_client_ip \$backend_host {
    default 127.0.0.1;
    $(if [ "$IDLE_SOURCES" -gt 1 ]; then echo "~^127\\.0\\.0\\.[0-9]+\$ \$http_client_ip;"; fi)
  }
  map "\$http_auth_protocol/\$http_auth_user" \$backend_port {
    default $P_BACKEND;
    "imap/$NOLP_USER" $P_B_NOLP;
    ~^pop3/ $P_B_POP3;
    ~^smtp/ $P_B_SMTP;
  }
  server {
    listen 127.0.0.1:$P_AUTH;
    $(if want variants; then printf 'listen 127.0.0.1:%s ssl; ssl_certificate %s; ssl_certificate_key %s;' \
      "$P_AUTH_TLS" "$WORK/tls/auth-cert.pem" "$WORK/tls/auth-key.pem"; fi)
    location = /auth {
      add_header Auth-Status OK;
      add_header Auth-Server \$backend_host;
      add_header Auth-Port \$backend_port;
      return 204;
    }
  }
}
EOF
nginx -p "$WORK/auth" -c "$WORK/auth/nginx.conf" -e "$WORK/auth/error.log" &
STARTED+=($!)
wait_port "$P_AUTH"


# ---------------------------------------------------------------------------------------------------------------
# Proxy configurations, one file per set: base (IMAP, 1 worker), var (the variants' listeners, 1 worker), wN
# (IMAP, N workers) and idletls (IMAP and IMAPS, 1 worker: the implicit-TLS idle rows). Only one proxy runs at a time.
pidx() { case "$1" in nginx) echo 1 ;; nginx-64k) echo 2 ;; dovecot) echo 3 ;; mailgate) echo 4 ;; esac; }
port_of() { # proxy [protocol]
  local i; i=$(pidx "$1")
  case "${2:-imap}" in imap) echo $((BASE_PORT + i)) ;; pop3) echo $((BASE_PORT + 10 + i)) ;;
    smtp) echo $((BASE_PORT + 20 + i)) ;; imaps) echo $((BASE_PORT + 30 + i)) ;; imapat) echo $((BASE_PORT + 40 + i)) ;;
  esac
}
set_ports() { # proxy set: the ports to wait for
  if [ "$2" = tls ]; then
    port_of "$1" imaps
  elif [ "$2" = var ]; then
    port_of "$1"
    if [ "$1" = mailgate ]; then port_of "$1" imapat; fi
    if [ "$1" != dovecot ] || [ "$DOVECOT_POP3" = 1 ]; then port_of "$1" pop3; fi
    if [ "$1" != dovecot ] || [ "$DOVECOT_SMTP" = 1 ]; then port_of "$1" smtp; fi
  elif [ "$2" = idletls ]; then
    echo "$(port_of "$1") $(port_of "$1" imaps)"
  else
    port_of "$1"
  fi
}
set_workers() { case "$1" in w*) echo "${1#w}" ;; *) echo 1 ;; esac; }

# nginx and mailgate share the mail {} syntax: the same servers for both.
mail_servers() { # proxy set (imap_auth is per product)
  local imap_auth="login plain"
  if [ "$2" = tls ]; then tls_servers "$1"; return 0; fi
  [ "$1" = mailgate ] && [ "$2" = var ] && imap_auth="login plain oauthbearer"
  cat <<EOF
  server {
    listen 127.0.0.1:$(port_of "$1");
    protocol imap;
    imap_auth $imap_auth;
  }
EOF
  if [ "$2" = idletls ]; then imaps_server "$1"; return 0; fi
  [ "$2" = var ] || return 0
  cat <<EOF
  server {
    listen 127.0.0.1:$(port_of "$1" pop3);
    protocol pop3;
    pop3_auth plain;
  }
  server {
    listen 127.0.0.1:$(port_of "$1" smtp);
    protocol smtp;
    smtp_auth login plain;
  }
EOF
  [ "$1" = mailgate ] || return 0
  cat <<EOF
  server {
    listen 127.0.0.1:$(port_of "$1" imapat);
    protocol imap;
    imap_auth login plain;
    auth_http https://127.0.0.1:$P_AUTH_TLS/auth;
    auth_http_ssl_trusted_certificate $WORK/tls/auth-cert.pem;
  }
EOF
}
imaps_server() { # proxy [directive...]: the implicit-TLS IMAP listener of the idletls set (the var set has the same
  # server), with the given directives added (the tls set's session resumption)
  local d
  cat <<EOF
  server {
    listen 127.0.0.1:$(port_of "$1" imaps) ssl;
    protocol imap;
    imap_auth login plain;
    ssl_certificate $WORK/tls/cert.pem;
    ssl_certificate_key $WORK/tls/key.pem;
EOF
  for d in "${@:2}"; do echo "    $d"; done
  echo "  }"
}
nginx_conf() { # name set extra-directive
  mkdir -p "$WORK/$1"
  cat >"$WORK/$1/$2.conf" <<EOF
$MAIL_MODULE
daemon off;
worker_processes $(set_workers "$2");
worker_rlimit_nofile $NOFILE;
pid $WORK/$1/nginx.pid;
error_log $WORK/$1/error.log error;
events { worker_connections $WCONN; }
mail {
  server_name bench.example.com;
  auth_http 127.0.0.1:$P_AUTH/auth;
  proxy_pass_error_message on;
  $3
$(mail_servers "$1" "$2")
}
EOF
}
mailgate_conf() { # set
  cat >"$WORK/mailgate/$1.conf" <<EOF
worker_processes $(set_workers "$1");
worker_rlimit_nofile $NOFILE;
pid $WORK/mailgate/mailgate.pid;
error_log $WORK/mailgate/error.log error;
events { worker_connections $WCONN; }
mail {
  server_name bench.example.com;
  auth_http 127.0.0.1:$P_AUTH/auth;
  proxy_pass_error_message on;
$(mail_servers mailgate "$1")
}
EOF
}
# Dovecot: a static passdb proxies every login to the backend (the client's password is passed on). In the var set,
# the port follows the service (%s), and a passwd-file passdb tried first sends $NOLP_USER to the backend without
# LITERAL+. Login services: process_min_avail = process_limit = the worker count, service_count = 0.
dovecot_login_service() { # service listener port workers [ssl-listener ssl-port]
  cat <<EOF
service $1 {
  inet_listener $2 {
    address = 127.0.0.1
    port = $3
  }
EOF
  if [ -n "${6:-}" ]; then
    printf '  inet_listener %s {\n    address = 127.0.0.1\n    port = %s\n    ssl = yes\n  }\n' "$5" "$6"
  elif [ -n "${5:-}" ]; then
    printf '  inet_listener %s {\n    port = 0\n  }\n' "$5"
  fi
  cat <<EOF
  service_count = 0
  process_min_avail = $4
  process_limit = $4
  client_limit = $WCONN
  vsz_limit = 2G
}
EOF
}
dovecot_conf() { # set
  local set=$1 n protos=imap port="$P_BACKEND" ssl="ssl = no" passdb="" host=127.0.0.1
  n=$(set_workers "$set")
  # --idle-sources: the backend on the client's own loopback address, as the auth service routes it for the others.
  [ "$set" = var ] || [ "$IDLE_SOURCES" = 1 ] || host="%{rip}"
  if [ "$set" = idletls ]; then
    ssl="ssl = yes
ssl_cert = <$WORK/tls/cert.pem
ssl_key = <$WORK/tls/key.pem"
  fi
  if [ "$set" = var ]; then
    [ "$DOVECOT_POP3" = 1 ] && protos="$protos pop3"
    [ "$DOVECOT_SMTP" = 1 ] && protos="$protos submission"
    port="%{if;%s;eq;pop3;$P_B_POP3;%{if;%s;eq;submission;$P_B_SMTP;$P_BACKEND}}"
    printf '%s:::::::proxy=y host=127.0.0.1 port=%s nopassword=y\n' "$NOLP_USER" "$P_B_NOLP" >"$WORK/dovecot/nolp.passwd"
    passdb="passdb {
  driver = passwd-file
  args = $WORK/dovecot/nolp.passwd
}"
  fi
  [ "$set" = tls ] && ssl=$(dovecot_tls_settings)
  {
    cat <<EOF
protocols = $protos
listen = 127.0.0.1
base_dir = $WORK/dovecot/run
state_dir = $WORK/dovecot/state
log_path = $WORK/dovecot/dovecot.log
info_log_path = /dev/null
$ssl
disable_plaintext_auth = no
auth_mechanisms = plain login
default_client_limit = $WCONN
default_vsz_limit = 2G
verbose_proctitle = no
$passdb
passdb {
  driver = static
  args = proxy=y host=$host port=$port nopassword=y
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}
EOF
    if [ "$set" = tls ]; then
      dovecot_login_service imap-login imap 0 "$n" imaps "$(port_of dovecot imaps)"
    elif [ "$set" = var ]; then
      dovecot_login_service imap-login imap "$(port_of dovecot)" "$n" imaps
      [ "$DOVECOT_POP3" = 1 ] && dovecot_login_service pop3-login pop3 "$(port_of dovecot pop3)" "$n" pop3s
      [ "$DOVECOT_SMTP" = 1 ] && dovecot_login_service submission-login submission "$(port_of dovecot smtp)" "$n" \
        submissions
    elif [ "$set" = idletls ]; then
      dovecot_login_service imap-login imap "$(port_of dovecot)" "$n" imaps "$(port_of dovecot imaps)"
    else
      dovecot_login_service imap-login imap "$(port_of dovecot)" "$n" imaps
    fi
    cat <<EOF
service auth {
  client_limit = $WCONN
}
service anvil {
  client_limit = $WCONN
}
EOF
  } >"$WORK/dovecot/$set.conf"
}

# The tls group: one IMAPS listener per proxy (set "tls"), the same ECDSA P-256 certificate, and resumption set up
# alike: nginx and mailgate with session tickets and a session cache (the same directives), Dovecot with its
# defaults, which are the same (tickets on, as ssl_options has no no_ticket; OpenSSL's built-in session cache, which
# Dovecot leaves on, in its one imap-login process). Each key: LoadGen options. tls-c50: every connection a full
# TLS 1.3 handshake (no session offered); tls-resume-c50: each connection offers a ticket from an earlier one; and
# tls12-resume-c50: TLS 1.2, each connection offers an earlier one's session ID (the LoadGen sends no TLS 1.2 ticket
# extension, so this is the server's session cache).
TLS_KEYS=(tls-c50 tls-resume-c50 tls12-resume-c50)
tls_opts() {
  case "$1" in
    tls-c50) echo "--tls" ;;
    tls-resume-c50) echo "--tls --tls-resume" ;;
    tls12-resume-c50) echo "--tls --tls-version 1.2 --tls-resume" ;;
  esac
}
tls_servers() { # proxy: the mail {} server of the tls set (nginx and mailgate): tickets and a shared session cache
  imaps_server "$1" "ssl_session_tickets on;" "ssl_session_cache shared:SSL:10m;" "ssl_session_timeout 5m;"
}
dovecot_tls_settings() {
  cat <<EOF
ssl = yes
ssl_cert = <$WORK/tls/cert.pem
ssl_key = <$WORK/tls/key.pem
EOF
}

mkdir -p "$WORK/dovecot/run" "$WORK/dovecot/state"
SETS=()
{ want base || want relay || want login; } && SETS+=(base)
want variants && SETS+=(var)
want tls && SETS+=(tls)
for w in "${MULTI[@]}"; do want "w$w" && SETS+=("w$w"); done
want_idle && SETS+=(base idletls)
for set in $(printf '%s\n' "${SETS[@]}" | awk '!seen[$0]++'); do
  nginx_conf nginx "$set" ""
  nginx_conf nginx-64k "$set" "proxy_buffer 64k;"
  dovecot_conf "$set"
  mailgate_conf "$set"
done

# ---------------------------------------------------------------------------------------------------------------
# Start/stop one proxy. PROXY_MAIN is the process started; proxy_pids gives the processes measured (nginx: its
# workers; Dovecot: the protocol's login processes and auth; mailgate: its JVM).
PROXY_MAIN=""
PROXY_PIDS=""
children() { # parent [comm...]: child pids, optionally only those with one of the names
  local parent=$1 c comm; shift
  for c in $(pgrep -P "$parent" || true); do
    comm=$(cat "/proc/$c/comm" 2>/dev/null || true)
    if [ $# -eq 0 ]; then echo "$c"; else for n in "$@"; do if [ "$comm" = "$n" ]; then echo "$c"; fi; done; fi
  done
  return 0
}
proxy_pids() { # proxy [protocol]: comma-separated pids (Dovecot starts its auth process on the first login)
  case "$1" in
    nginx|nginx-64k) children "$PROXY_MAIN" | paste -sd, - ;;
    dovecot)
      case "${2:-imap}" in
        pop3) children "$PROXY_MAIN" pop3-login auth | paste -sd, - ;;
        smtp) children "$PROXY_MAIN" submission-logi auth | paste -sd, - ;; # comm is cut at 15 characters
        *) children "$PROXY_MAIN" imap-login auth | paste -sd, - ;;
      esac ;;
    mailgate) echo "$PROXY_MAIN" ;;
  esac
}
start_proxy() { # proxy set
  local name=$1 set=$2 i n port want_n
  case "$name" in
    nginx|nginx-64k)
      nginx -p "$WORK/$name" -c "$WORK/$name/$set.conf" -e "$WORK/$name/error.log" &
      PROXY_MAIN=$! ;;
    dovecot)
      dovecot -F -c "$WORK/dovecot/$set.conf" >>"$WORK/dovecot/stdout.log" 2>&1 &
      PROXY_MAIN=$! ;;
    mailgate)
      "$WORK/mailgate/bin/mailgate" -p "$WORK/mailgate" -c "$WORK/mailgate/$set.conf" \
        >>"$WORK/mailgate/stdout.log" 2>&1 &
      PROXY_MAIN=$! ;;
  esac
  STARTED+=("$PROXY_MAIN")
  for port in $(set_ports "$name" "$set"); do wait_port "$port"; done
  # Bounded wait for the workers: nginx's N workers; Dovecot's N imap-login processes (+ auth once it started).
  want_n=$(set_workers "$set")
  PROXY_PIDS=""
  for i in $(seq 1 50); do
    PROXY_PIDS=$(proxy_pids "$name")
    case "$name" in
      nginx|nginx-64k) n=$(children "$PROXY_MAIN" | wc -l) ;;
      dovecot) n=$(children "$PROXY_MAIN" imap-login | wc -l); [[ "$PROXY_PIDS" == *,* ]] || n=0 ;;
      mailgate) n=$want_n ;;
    esac
    [ -n "$PROXY_PIDS" ] && [ "$n" -ge "$want_n" ] && break
    sleep 0.1
  done
  [ -n "$PROXY_PIDS" ] || { echo "run-benchmark: no worker processes for $name" >&2; return 1; }
}
stop_proxy() {
  stop_pid "$PROXY_MAIN"
  PROXY_MAIN=""
}
refresh_pids() { PROXY_PIDS=$(proxy_pids "$@"); } # proxy [protocol]

# One load-generator run; its result line goes to results.jsonl with the round and proxy added.
loadgen() { # round proxy key target scenario [options...]
  local round=$1 proxy=$2 key=$3 target=$4 scenario=$5 out line a prev="" pids=""; shift 5
  for a in "$@"; do [ "$prev" = --pids ] && pids=$a; prev=$a; done # recorded with the result
  [ -z "$pids" ] || echo "$round $proxy $key: $(ps -o pid=,comm= -p "$pids" | xargs)" >>"$WORK/pids.log"
  out=$(java -cp "$BJAR" io.mailgate.bench.LoadGen "$scenario" --target "127.0.0.1:$target" --label "$proxy" \
    "$@" 2>>"$WORK/loadgen.err") || log "  $key on $proxy: LoadGen exit $? (see loadgen.err)"
  line=$(printf '%s\n' "$out" | grep '"scenario"' | grep -v '"event"' | tail -1 || true)
  if [ -n "$line" ]; then
    printf '%s\n' "$line" | jq -c --arg k "$key" --arg p "$proxy" --argjson r "$round" --arg pids "$pids" \
      '. + {key:$k,proxy:$p,round:$r,pids:$pids}' \
      >>"$RESULTS"
  fi
}

base_measures() { # round proxy: storms, relays and latency on the running proxy (warmed by the caller)
  local r=$1 p=$2 port
  port=$(port_of "$p")
  refresh_pids "$p"
  loadgen "$r" "$p" login-c50 "$port" login-storm --concurrency 50 $STORM --pids "$PROXY_PIDS"
  loadgen "$r" "$p" login-c500 "$port" login-storm --concurrency 500 $STORM --pids "$PROXY_PIDS"
  loadgen "$r" "$p" relay-fetch "$port" relay-fetch --concurrency 4 $RELAY --pids "$PROXY_PIDS"
  loadgen "$r" "$p" relay-append "$port" relay-append --concurrency 4 $RELAY --pids "$PROXY_PIDS"
  loadgen "$r" "$p" latency "$port" latency --count "$LAT_COUNT" --pids "$PROXY_PIDS"
}

variant_measures() { # round proxy: every variant on the running proxy (started with the var set)
  local r=$1 p=$2 k proto proto_pids
  # Every variant's code path is warmed before any is measured (the same for every proxy): a JVM compiles a path
  # only once it runs, and a cold TLS or POP3 path would otherwise count compiler time as login cost.
  for k in "${VARIANTS[@]}"; do
    supports "$p" "$k" || continue
    proto=$(variant_proto "$k")
    # shellcheck disable=SC2046
    loadgen "$r" "$p" "warmup-$k" "$(port_of "$p" "$proto")" login-storm --concurrency 50 $VWARM \
      $(variant_opts "$k") >/dev/null
  done
  for k in "${VARIANTS[@]}"; do
    supports "$p" "$k" || continue
    proto=$(variant_proto "$k")
    proto_pids=${proto/imapat/imap}
    refresh_pids "$p" "${proto_pids/imaps/imap}" # Dovecot: that protocol's login process and auth
    # shellcheck disable=SC2046
    loadgen "$r" "$p" "$k" "$(port_of "$p" "$proto")" login-storm --concurrency 50 $VSTORM $(variant_opts "$k") \
      --pids "$PROXY_PIDS"
  done
}

idle_measures() { # round proxy: every idle size, plaintext (key idle-N) and over the implicit-TLS listener
  local r=$1 p=$2 n src=() # (idle-tls-N), each on a freshly started proxy: a process that once held more sessions
  # keeps that memory. The TLS rows' proxy has the IMAPS listener besides (its TLS context loaded); the plaintext
  # rows' does not, as a plaintext-only deployment.
  [ "$IDLE_SOURCES" = 1 ] || src=(--sources "$IDLE_SRC_LIST")
  for n in $IDLE_RUN; do
    start_proxy "$p" base
    loadgen "$r" "$p" "idle-$n" "$(port_of "$p")" idle --sessions "$n" --hold "${IDLE_HOLD:-$HOLD}" --ramp 100 \
      --timeout 30s "${src[@]}" --pids "$PROXY_PIDS"
    stop_proxy
  done
  for n in $IDLE_RUN; do
    start_proxy "$p" idletls
    loadgen "$r" "$p" "idle-tls-$n" "$(port_of "$p" imaps)" idle --tls --sessions "$n" --hold "${IDLE_HOLD:-$HOLD}" \
      --ramp 100 --timeout 30s "${src[@]}" --pids "$PROXY_PIDS"
    stop_proxy
  done
}

# One process serves the base scenarios and the variants (the var set has the base IMAP listener too), as one
# proxy with several listeners does in production: a JVM warmed by the base scenarios is not restarted cold.
run_base_and_variants() { # round proxy
  local r=$1 p=$2 set=base
  want variants && [ "$p" != nginx-64k ] && set=var
  log "round $r: $p ($( [ "$set" = var ] && want base && echo "base + variants" || { want base && echo base || echo variants; }))"
  start_proxy "$p" "$set"
  loadgen "$r" "$p" warmup "$(port_of "$p")" login-storm --concurrency 50 $WARM >/dev/null
  want base && base_measures "$r" "$p"
  [ "$set" = var ] && variant_measures "$r" "$p"
  stop_proxy
  want base && idle_measures "$r" "$p"
  return 0
}

# The relay and login groups (not part of "all": base measures the same), for a quick side-by-side of a relay or
# login-path change: a fresh process warmed by the group's own kind of load, then only relay-fetch and relay-append,
# or only the IMAP LOGIN storms at c50 and c500.
run_focused() { # round proxy group
  local r=$1 p=$2 g=$3 port
  port=$(port_of "$p")
  log "round $r: $p ($g)"
  start_proxy "$p" base
  if [ "$g" = relay ]; then
    loadgen "$r" "$p" warmup "$port" relay-fetch --concurrency 4 $WARM >/dev/null
  else
    loadgen "$r" "$p" warmup "$port" login-storm --concurrency 50 $WARM >/dev/null
  fi
  refresh_pids "$p"
  if [ "$g" = relay ]; then
    loadgen "$r" "$p" relay-fetch "$port" relay-fetch --concurrency 4 $RELAY --pids "$PROXY_PIDS"
    loadgen "$r" "$p" relay-append "$port" relay-append --concurrency 4 $RELAY --pids "$PROXY_PIDS"
  else
    loadgen "$r" "$p" login-c50 "$port" login-storm --concurrency 50 $STORM --pids "$PROXY_PIDS"
    loadgen "$r" "$p" login-c500 "$port" login-storm --concurrency 500 $STORM --pids "$PROXY_PIDS"
  fi
  stop_proxy
}

run_workers() { # round proxy N: login storms, relay-fetch and latency with N workers (keys suffixed @wN)
  local r=$1 p=$2 w=$3 port
  port=$(port_of "$p")
  log "round $r: $p (worker_processes $w)"
  start_proxy "$p" "w$w"
  loadgen "$r" "$p" warmup "$port" login-storm --concurrency 50 $WARM >/dev/null
  refresh_pids "$p"
  loadgen "$r" "$p" "login-c50@w$w" "$port" login-storm --concurrency 50 $WSTORM --pids "$PROXY_PIDS"
  loadgen "$r" "$p" "login-c500@w$w" "$port" login-storm --concurrency 500 $WSTORM --pids "$PROXY_PIDS"
  loadgen "$r" "$p" "relay-fetch@w$w" "$port" relay-fetch --concurrency 4 $WRELAY --pids "$PROXY_PIDS"
  loadgen "$r" "$p" "latency@w$w" "$port" latency --count "$LAT_COUNT" --pids "$PROXY_PIDS"
  stop_proxy
}

# The tls group: a fresh process warmed by 13 s of full-handshake IMAPS logins, then each key's own short warm-up (its
# code path compiled before any is measured, as in the variants), then each key measured.
run_tls() { # round proxy
  local r=$1 p=$2 port k
  port=$(port_of "$p" imaps)
  log "round $r: $p (tls)"
  start_proxy "$p" tls
  loadgen "$r" "$p" warmup-tls "$port" login-storm --concurrency 50 $WARM --tls >/dev/null
  for k in "${TLS_KEYS[@]}"; do
    # shellcheck disable=SC2046
    loadgen "$r" "$p" "warmup-$k" "$port" login-storm --concurrency 50 $VWARM $(tls_opts "$k") >/dev/null
  done
  refresh_pids "$p" # Dovecot: imap-login and auth
  for k in "${TLS_KEYS[@]}"; do
    # shellcheck disable=SC2046
    loadgen "$r" "$p" "$k" "$port" login-storm --concurrency 50 $VSTORM $(tls_opts "$k") --pids "$PROXY_PIDS"
  done
  stop_proxy
}

run_proxy() { # round proxy
  local w
  # nginx-64k skips the variants: proxy_buffer sizes the relay buffer, and these are login storms (time budget).
  if want base || { want variants && [ "$2" != nginx-64k ]; }; then run_base_and_variants "$1" "$2"; fi
  if want idle && ! want base; then log "round $1: $2 (idle)"; idle_measures "$1" "$2"; fi
  want relay && run_focused "$1" "$2" relay
  want login && run_focused "$1" "$2" login
  # nginx-64k skips the tls group too: proxy_buffer does not touch a login.
  if want tls && [ "$2" != nginx-64k ]; then run_tls "$1" "$2"; fi
  for w in "${MULTI[@]}"; do want "w$w" && run_workers "$1" "$2" "$w"; done
  return 0
}

# ---------------------------------------------------------------------------------------------------------------
log "groups:$SCENARIOS| proxies: $PROXIES | rounds: $ROUNDS"
read -r -a PLIST <<<"$PROXIES"
for r in $(seq 1 "$ROUNDS"); do
  # The direct-to-backend baseline, once a round.
  if want base || want relay; then
    loadgen "$r" direct relay-fetch "$P_BACKEND" relay-fetch --concurrency 4 $RELAY
    loadgen "$r" direct relay-append "$P_BACKEND" relay-append --concurrency 4 $RELAY
    loadgen "$r" direct latency "$P_BACKEND" latency --count "$LAT_COUNT"
  fi
  # Alternate: each round starts with the next proxy.
  for i in $(seq 0 $((${#PLIST[@]} - 1))); do
    run_proxy "$r" "${PLIST[$(((i + r - 1) % ${#PLIST[@]}))]}"
  done
done

# ---------------------------------------------------------------------------------------------------------------
# One table of medians.
if [ "$KEEP" = 1 ] || [ -n "${BENCH_RESULTS_COPY:-}" ]; then
  [ -n "${BENCH_RESULTS_COPY:-}" ] && cp "$RESULTS" "$BENCH_RESULTS_COPY"
fi
IDLE_FACTS="$IDLE_RUN|$IDLE_CAPPED|$NOFILE|$(ulimit -Hn)|$IDLE_SOURCES" # sizes run, caps, fd limits, sources
python3 - "$RESULTS" "$ROUNDS" "$QUICK" "$NA" "${MULTI[*]}" "$IDLE_FACTS" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
rounds, quick = int(sys.argv[2]), sys.argv[3] == "1"
na = set(tuple(x.split(":", 1)) for x in sys.argv[4].split())  # (proxy, key) pairs a proxy cannot run
multi = sys.argv[5].split()
def vals(key, proxy, field):
  out = []
  for r in rows:
    if r.get("key") == key and r.get("proxy") == proxy and isinstance(r.get(field), (int, float)):
      if field == "proxy_cpu_s_per_gb" and not r.get("bytes"):
        continue
      out.append(float(r[field]))
  return out
idle_sizes, idle_capped, nofile, nofile_hard, idle_sources = sys.argv[6].split("|")
idle_sizes = [int(n) for n in idle_sizes.split()]
def slope(proxy, kind):
  # KB (1,000 bytes) per session between the smallest and the largest idle size, within each round, from runs
  # that established every session.
  lo, hi = min(idle_sizes), max(idle_sizes)
  def at(n):
    return {r["round"]: r.get("proxy_rss_kib_established") for r in rows if r.get("key") == f"{kind}-{n}"
            and r.get("proxy") == proxy and r.get("established") == n}
  a, b = at(lo), at(hi)
  return [(b[k] - a[k]) * 1.024 / (hi - lo) for k in a if k in b and a[k] and b[k]]
def storm(label, key):
  return [(f"{label}: sessions/s", key, "sessions_per_s", True), (f"{label}: p99 ms", key, "p99_ms", False),
          (f"{label}: proxy CPU ms/session", key, "proxy_cpu_ms_per_session", False)]
# (label, key, field, higher is better); a None key is a section heading
metrics = storm("login-storm c50", "login-c50") + storm("login-storm c500", "login-c500") + [
  ("relay-fetch 1 MiB: MB/s", "relay-fetch", "mb_per_s", True),
  ("relay-fetch: proxy CPU s/GB", "relay-fetch", "proxy_cpu_s_per_gb", False),
  ("relay-append 1 MiB: MB/s", "relay-append", "mb_per_s", True),
  ("relay-append: proxy CPU s/GB", "relay-append", "proxy_cpu_s_per_gb", False),
  ("latency NOOP: p50 us", "latency", "p50_us", False),
  ("latency NOOP: p99 us", "latency", "p99_us", False),
] + [(f"idle {n:,}: RSS MiB", f"idle-{n}", "proxy_rss_kib_established", False) for n in idle_sizes] + (
  [("idle: RSS slope KB/session", "idle-slope", None, False)] if len(idle_sizes) > 1 else []) + [
  (f"idle {n:,}, IMAPS (implicit TLS): RSS MiB", f"idle-tls-{n}", "proxy_rss_kib_established", False)
  for n in idle_sizes] + (
  [("idle, IMAPS (implicit TLS): RSS slope KB/session", "idle-tls-slope", None, False)] if len(idle_sizes) > 1 else [])
metrics += [("**login-storm variants, c50**", None, None, None)]
metrics += storm("c50, backend w/o LITERAL+", "login-c50-nolp")
metrics += storm("c50, IMAP AUTHENTICATE OAUTHBEARER", "oauth-c50")
metrics += storm("c50, POP3 USER/PASS", "pop3-c50")
metrics += storm("c50, SMTP AUTH PLAIN", "smtp-c50")
metrics += storm("c50, IMAP LOGIN, auth service over HTTPS (beside login-storm c50)", "authtls-c50")
def tls_storm(label, key, resumed):
  rows = storm(label, key)
  if resumed:
    rows.append((f"{label}: resumed share", key, "tls_resumed_share", True))
  return rows + [(f"{label}: load generator CPU ms/session", key, "loadgen_cpu_ms_per_session", False),
                 (f"{label}: machine CPU ms/session", key, "machine_cpu_ms_per_session", False)]
metrics += [("**IMAPS LOGIN (implicit TLS, ECDSA P-256), c50**", None, None, None)]
metrics += tls_storm("IMAPS, full handshake", "tls-c50", False)
metrics += tls_storm("IMAPS, TLS 1.3 ticket resumed", "tls-resume-c50", True)
metrics += tls_storm("IMAPS, TLS 1.2 session cache resumed", "tls12-resume-c50", True)
for w in multi:
  metrics += [(f"**worker_processes {w}**", None, None, None)]
  metrics += storm(f"login-storm c50 @w{w}", f"login-c50@w{w}") + storm(f"login-storm c500 @w{w}", f"login-c500@w{w}")
  metrics += [(f"relay-fetch 1 MiB @w{w}: MB/s", f"relay-fetch@w{w}", "mb_per_s", True),
              (f"relay-fetch @w{w}: proxy CPU s/GB", f"relay-fetch@w{w}", "proxy_cpu_s_per_gb", False),
              (f"latency NOOP @w{w}: p50 us", f"latency@w{w}", "p50_us", False),
              (f"latency NOOP @w{w}: p99 us", f"latency@w{w}", "p99_us", False)]
proxies = ["nginx", "nginx-64k", "dovecot", "mailgate"]
peers_all = ("nginx", "nginx-64k", "dovecot")
def fmt(x, field):
  if x is None: return "-"
  if field == "proxy_rss_kib_established": x = x / 1024
  if field == "tls_resumed_share": return f"{x * 100:.1f}%"
  return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.2f}" if abs(x) < 10 else f"{x:.1f}"
head = ["scenario (median of %d round%s)" % (rounds, "" if rounds == 1 else "s"), "direct", "nginx", "nginx-64k",
        "Dovecot", "mailgate", "mailgate / better peer", "max spread"]
print("| " + " | ".join(head) + " |")
print("|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|")
keys_seen = {r.get("key") for r in rows}
section = None
for label, key, field, higher in metrics:
  if key is None:
    section = label
    continue
  if key not in keys_seen and not (key.endswith("-slope") and f"{key[:-6]}-{max(idle_sizes)}" in keys_seen):
    continue  # a group that did not run, or a variant no proxy of this run can do
  if section:
    print("| " + " | ".join([section] + [""] * (len(head) - 1)) + " |")
    section = None
  med, spreads = {}, []
  for p in proxies + ["direct"]:
    v = slope(p, key[:-6]) if key.endswith("-slope") else vals(key, p, field)
    if v:
      m = statistics.median(v)
      med[p] = m
      if len(v) > 1 and m:
        spreads.append((max(v) - min(v)) / abs(m))
  peers = [med[p] for p in peers_all if p in med]
  better = (max(peers) if higher else min(peers)) if peers else None
  ratio = f"{med['mailgate'] / better:.2f}" if better and "mailgate" in med else "-"
  spread = f"{max(spreads) * 100:.0f}%" if spreads else ("n/a (1 round)" if rounds == 1 else "-")
  cells = ["n/a" if (p, key) in na else fmt(med.get(p), field) for p in proxies]
  print("| " + " | ".join([label, fmt(med.get("direct"), field)] + cells + [ratio, spread]) + " |")
errs = [r for r in rows if r.get("errors") or r.get("dropped_during_hold") or
        (r.get("key", "").startswith("idle") and r.get("established") != r.get("sessions"))]
for r in errs:
  print(f"note: {r['proxy']} {r['key']} round {r['round']}: errors={r.get('errors')} "
        f"established={r.get('established')} dropped={r.get('dropped_during_hold')} first_error={r.get('first_error')}")
if any(k in keys_seen for k in ("oauth-c50", "pop3-c50", "smtp-c50")):
  print("note: n/a = the peer cannot run that variant (nginx 1.22 has no OAUTHBEARER; Dovecot would need an oauth2 "
        "passdb); the ratio is then against the peers that can, \"-\" if none; nginx-64k does not run the variants")
if any(str(k).startswith("idle-") for k in keys_seen):
  caps = ", ".join(f"{int(a):,} asked, {int(b):,} run" for a, b in (c.split(":") for c in idle_capped.split()))
  print(f"note: idle: ulimit -n {int(nofile):,} (hard limit {nofile_hard}), {idle_sources} source address(es); "
        f"a proxy holds 2 descriptors per session" + (f": sizes lowered to fit ({caps})" if caps else ""))
if quick:
  print(f"note: --quick smoke run ({rounds} round{'' if rounds == 1 else 's'}, short windows): not for quoting")
PY
echo "elapsed: $((SECONDS / 60)) min $((SECONDS % 60)) s"
