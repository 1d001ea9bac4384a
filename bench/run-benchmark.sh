#!/usr/bin/env bash
# Runs mailgate, nginx's mail module (default proxy_buffer and proxy_buffer 64k) and Dovecot's login proxy side by
# side against the same fake backend and auth service, alternating proxies for N rounds, and prints one table of
# medians. Everything listens on 127.0.0.1; every process started here is stopped on exit.
#
#   bench/run-benchmark.sh [--rounds N] [--quick] [--no-build] [--keep] [--proxies "nginx nginx-64k dovecot mailgate"]
#
# --quick: one round, short windows (a smoke test; the numbers are not for quoting).
# --no-build: use the jars already in target/ (they are still copied first).
# --keep: leave the work folder (configs, logs, raw JSON results) in place.
# Needs root (apt-get, ulimit -n, nginx/Dovecot as root) on Debian/Ubuntu, a JDK 17+ and Maven.
set -euo pipefail

ROUNDS=5
QUICK=0
BUILD=1
KEEP=0
PROXIES="nginx nginx-64k dovecot mailgate"
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --quick) QUICK=1; ROUNDS=1; shift ;;
    --no-build) BUILD=0; shift ;;
    --keep) KEEP=1; shift ;;
    --proxies) PROXIES="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "run-benchmark: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$ROUNDS" in ''|*[!0-9]*) echo "run-benchmark: --rounds needs a number" >&2; exit 2 ;; esac
[ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 100 ] || { echo "run-benchmark: --rounds 1..100" >&2; exit 2; }

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BASE_PORT=${BENCH_PORT_BASE:-21000}
P_BACKEND=$((BASE_PORT + 143)) P_AUTH=$((BASE_PORT + 80))
P_NGINX=$((BASE_PORT + 1)) P_NGINX64=$((BASE_PORT + 2)) P_DOVECOT=$((BASE_PORT + 3)) P_MAILGATE=$((BASE_PORT + 4))

# Scenario sizes: full runs vs --quick smoke runs.
if [ "$QUICK" = 1 ]; then
  WARM="--warmup 1s --duration 3s"; STORM="--warmup 1s --duration 4s"; RELAY="--warmup 1s --duration 4s"
  LAT_COUNT=3000; HOLD=2s
else
  WARM="--warmup 2s --duration 8s"; STORM="--warmup 2s --duration 20s"; RELAY="--warmup 2s --duration 20s"
  LAT_COUNT=20000; HOLD=10s
fi

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# The idle scenario holds 9,000 sessions: the load generator needs one descriptor each, the proxy two, the backend
# one. Root may raise the hard limit; every process started below inherits it.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
NOFILE=$(ulimit -n)
[ "$NOFILE" -ge 20000 ] || { echo "run-benchmark: ulimit -n is $NOFILE; 20000 needed (run as root)" >&2; exit 1; }

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

wait_port() { # bounded: 20 s
  local port=$1 i
  for i in $(seq 1 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "run-benchmark: nothing listens on 127.0.0.1:$port" >&2
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
# Peers: Debian's nginx with the mail module, and Dovecot.
need_pkgs=()
if [ ! -e /usr/lib/nginx/modules/ngx_mail_module.so ] && ! nginx -V 2>&1 | grep -q -- '--with-mail[^_]'; then
  if dpkg -s nginx-light >/dev/null 2>&1 && apt-cache policy libnginx-mod-mail | grep -q 'Candidate: [0-9]'; then
    need_pkgs+=(libnginx-mod-mail)
  else
    need_pkgs+=(nginx-full)
  fi
fi
command -v dovecot >/dev/null 2>&1 && [ -e /usr/lib/dovecot/imap-login ] || need_pkgs+=(dovecot-imapd)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing ${need_pkgs[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_pkgs[@]}" >"$WORK/apt.log" 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_pkgs[@]}"; }
fi
MAIL_MODULE=""
[ -e /usr/lib/nginx/modules/ngx_mail_module.so ] && MAIL_MODULE="load_module /usr/lib/nginx/modules/ngx_mail_module.so;"

# ---------------------------------------------------------------------------------------------------------------
# Shared fake backend and auth service.
java -cp "$BJAR" io.mailgate.bench.FakeBackend --imap "127.0.0.1:$P_BACKEND" --literal-plus on \
  --message-size 1048576 --exit-after 6h >"$WORK/backend.log" 2>&1 &
STARTED+=($!)
wait_port "$P_BACKEND"

# The auth service: nginx's own http {}, keep-alive allowed (nginx's mail module sends HTTP/1.0 and closes anyway).
mkdir -p "$WORK/auth"
cat >"$WORK/auth/nginx.conf" <<EOF
daemon off;
worker_processes 1;
worker_rlimit_nofile $NOFILE;
pid $WORK/auth/nginx.pid;
error_log $WORK/auth/error.log warn;
events { worker_connections 19000; }
http {
  access_log off;
  client_body_temp_path $WORK/auth; proxy_temp_path $WORK/auth; fastcgi_temp_path $WORK/auth;
  uwsgi_temp_path $WORK/auth; scgi_temp_path $WORK/auth;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  server {
    listen 127.0.0.1:$P_AUTH;
    location = /auth {
      add_header Auth-Status OK;
      add_header Auth-Server 127.0.0.1;
      add_header Auth-Port $P_BACKEND;
      return 204;
    }
  }
}
EOF
nginx -p "$WORK/auth" -c "$WORK/auth/nginx.conf" -e "$WORK/auth/error.log" &
STARTED+=($!)
wait_port "$P_AUTH"

# ---------------------------------------------------------------------------------------------------------------
# Proxy configurations.
nginx_conf() { # name port extra-directive
  mkdir -p "$WORK/$1"
  cat >"$WORK/$1/nginx.conf" <<EOF
$MAIL_MODULE
daemon off;
worker_processes 1;
worker_rlimit_nofile $NOFILE;
pid $WORK/$1/nginx.pid;
error_log $WORK/$1/error.log error;
events { worker_connections 19000; }
mail {
  server_name bench.example.com;
  auth_http 127.0.0.1:$P_AUTH/auth;
  proxy_pass_error_message on;
  $3
  server {
    listen 127.0.0.1:$2;
    protocol imap;
    imap_auth login plain;
  }
}
EOF
}
nginx_conf nginx "$P_NGINX" ""
nginx_conf nginx-64k "$P_NGINX64" "proxy_buffer 64k;"

mkdir -p "$WORK/dovecot/run" "$WORK/dovecot/state"
cat >"$WORK/dovecot/dovecot.conf" <<EOF
protocols = imap
listen = 127.0.0.1
base_dir = $WORK/dovecot/run
state_dir = $WORK/dovecot/state
log_path = $WORK/dovecot/dovecot.log
info_log_path = /dev/null
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_client_limit = 20000
default_vsz_limit = 2G
verbose_proctitle = no
passdb {
  driver = static
  args = proxy=y host=127.0.0.1 port=$P_BACKEND nopassword=y
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $P_DOVECOT
  }
  inet_listener imaps {
    port = 0
  }
  service_count = 0
  process_min_avail = 1
  process_limit = 1
  client_limit = 20000
  vsz_limit = 2G
}
service auth {
  client_limit = 20000
}
service anvil {
  client_limit = 20000
}
EOF

cat >"$WORK/mailgate/mailgate.conf" <<EOF
worker_processes 1;
worker_rlimit_nofile $NOFILE;
pid $WORK/mailgate/mailgate.pid;
error_log $WORK/mailgate/error.log error;
events { worker_connections 19000; }
mail {
  server_name bench.example.com;
  auth_http 127.0.0.1:$P_AUTH/auth;
  proxy_pass_error_message on;
  server {
    listen 127.0.0.1:$P_MAILGATE;
    protocol imap;
    imap_auth login plain;
  }
}
EOF

# ---------------------------------------------------------------------------------------------------------------
# Start/stop one proxy. PROXY_MAIN is the process started; PROXY_PIDS the processes measured (nginx: its worker;
# Dovecot: imap-login and auth; mailgate: its JVM).
PROXY_MAIN=""
PROXY_PIDS=""
port_of() {
  case "$1" in nginx) echo "$P_NGINX" ;; nginx-64k) echo "$P_NGINX64" ;; dovecot) echo "$P_DOVECOT" ;;
    mailgate) echo "$P_MAILGATE" ;; esac
}
children() { # parent [comm...]: child pids, optionally only those with one of the names
  local parent=$1 c comm; shift
  for c in $(pgrep -P "$parent" || true); do
    comm=$(cat "/proc/$c/comm" 2>/dev/null || true)
    if [ $# -eq 0 ]; then echo "$c"; else for n in "$@"; do if [ "$comm" = "$n" ]; then echo "$c"; fi; done; fi
  done
  return 0
}
start_proxy() {
  local name=$1 i
  case "$name" in
    nginx|nginx-64k)
      nginx -p "$WORK/$name" -c "$WORK/$name/nginx.conf" -e "$WORK/$name/error.log" &
      PROXY_MAIN=$! ;;
    dovecot)
      dovecot -F -c "$WORK/dovecot/dovecot.conf" >>"$WORK/dovecot/stdout.log" 2>&1 &
      PROXY_MAIN=$! ;;
    mailgate)
      "$WORK/mailgate/bin/mailgate" -p "$WORK/mailgate" -c "$WORK/mailgate/mailgate.conf" \
        >>"$WORK/mailgate/stdout.log" 2>&1 &
      PROXY_MAIN=$! ;;
  esac
  STARTED+=("$PROXY_MAIN")
  wait_port "$(port_of "$name")"
  PROXY_PIDS=""
  for i in $(seq 1 50); do # bounded: the workers appear shortly after the listener
    case "$name" in
      nginx|nginx-64k) PROXY_PIDS=$(children "$PROXY_MAIN" | paste -sd, -) ;;
      dovecot) PROXY_PIDS=$(children "$PROXY_MAIN" imap-login auth | paste -sd, -) ;;
      mailgate) PROXY_PIDS=$PROXY_MAIN ;;
    esac
    if [ "$name" = dovecot ]; then [[ "$PROXY_PIDS" == *,* ]] && break; else [ -n "$PROXY_PIDS" ] && break; fi
    sleep 0.1
  done
  [ -n "$PROXY_PIDS" ] || { echo "run-benchmark: no worker processes for $name" >&2; return 1; }
}
stop_proxy() {
  stop_pid "$PROXY_MAIN"
  PROXY_MAIN=""
}
refresh_pids() { # Dovecot starts the auth process on the first login
  if [ "$1" = dovecot ]; then PROXY_PIDS=$(children "$PROXY_MAIN" imap-login auth | paste -sd, -); fi
}

# One load-generator run; its result line goes to results.jsonl with the round and proxy added.
loadgen() { # round proxy key target scenario [options...]
  local round=$1 proxy=$2 key=$3 target=$4 scenario=$5 out line; shift 5
  out=$(java -cp "$BJAR" io.mailgate.bench.LoadGen "$scenario" --target "127.0.0.1:$target" --label "$proxy" \
    "$@" 2>>"$WORK/loadgen.err") || log "  $key on $proxy: LoadGen exit $? (see loadgen.err)"
  line=$(printf '%s\n' "$out" | grep '"scenario"' | grep -v '"event"' | tail -1 || true)
  if [ -n "$line" ]; then
    printf '%s\n' "$line" | jq -c --arg k "$key" --arg p "$proxy" --argjson r "$round" '. + {key:$k,proxy:$p,round:$r}' \
      >>"$RESULTS"
  fi
}

run_proxy() { # round proxy
  local r=$1 p=$2 port n
  port=$(port_of "$p")
  log "round $r: $p"
  start_proxy "$p"
  loadgen "$r" "$p" warmup "$port" login-storm --concurrency 50 $WARM >/dev/null
  refresh_pids "$p"
  loadgen "$r" "$p" login-c50 "$port" login-storm --concurrency 50 $STORM --pids "$PROXY_PIDS"
  loadgen "$r" "$p" login-c500 "$port" login-storm --concurrency 500 $STORM --pids "$PROXY_PIDS"
  loadgen "$r" "$p" relay-fetch "$port" relay-fetch --concurrency 4 $RELAY --pids "$PROXY_PIDS"
  loadgen "$r" "$p" relay-append "$port" relay-append --concurrency 4 $RELAY --pids "$PROXY_PIDS"
  loadgen "$r" "$p" latency "$port" latency --count "$LAT_COUNT" --pids "$PROXY_PIDS"
  # Idle: a fresh process for each size (a process that once held more sessions keeps that memory).
  for n in 1000 9000; do
    stop_proxy
    start_proxy "$p"
    loadgen "$r" "$p" "idle-$n" "$port" idle --sessions "$n" --hold "$HOLD" --ramp 100 --timeout 30s \
      --pids "$PROXY_PIDS"
  done
  stop_proxy
}

# ---------------------------------------------------------------------------------------------------------------
read -r -a PLIST <<<"$PROXIES"
for r in $(seq 1 "$ROUNDS"); do
  # The direct-to-backend baseline, once a round.
  loadgen "$r" direct relay-fetch "$P_BACKEND" relay-fetch --concurrency 4 $RELAY
  loadgen "$r" direct relay-append "$P_BACKEND" relay-append --concurrency 4 $RELAY
  loadgen "$r" direct latency "$P_BACKEND" latency --count "$LAT_COUNT"
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
python3 - "$RESULTS" "$ROUNDS" "$QUICK" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
rounds, quick = int(sys.argv[2]), sys.argv[3] == "1"
def vals(key, proxy, field):
  out = []
  for r in rows:
    if r.get("key") == key and r.get("proxy") == proxy and isinstance(r.get(field), (int, float)):
      if field == "proxy_cpu_s_per_gb" and not r.get("bytes"):
        continue
      out.append(float(r[field]))
  return out
def slope(proxy):
  a = {r["round"]: r.get("proxy_rss_kib_established") for r in rows if r.get("key") == "idle-1000" and r.get("proxy") == proxy}
  b = {r["round"]: r.get("proxy_rss_kib_established") for r in rows if r.get("key") == "idle-9000" and r.get("proxy") == proxy
       and r.get("established") == 9000}
  return [(b[k] - a[k]) * 1.024 / 8000 for k in a if k in b and a[k] and b[k]]
# (label, key, field, higher is better)
metrics = [
  ("login-storm c50: sessions/s", "login-c50", "sessions_per_s", True),
  ("login-storm c50: p99 ms", "login-c50", "p99_ms", False),
  ("login-storm c50: proxy CPU ms/session", "login-c50", "proxy_cpu_ms_per_session", False),
  ("login-storm c500: sessions/s", "login-c500", "sessions_per_s", True),
  ("login-storm c500: p99 ms", "login-c500", "p99_ms", False),
  ("login-storm c500: proxy CPU ms/session", "login-c500", "proxy_cpu_ms_per_session", False),
  ("relay-fetch 1 MiB: MB/s", "relay-fetch", "mb_per_s", True),
  ("relay-fetch: proxy CPU s/GB", "relay-fetch", "proxy_cpu_s_per_gb", False),
  ("relay-append 1 MiB: MB/s", "relay-append", "mb_per_s", True),
  ("relay-append: proxy CPU s/GB", "relay-append", "proxy_cpu_s_per_gb", False),
  ("latency NOOP: p50 us", "latency", "p50_us", False),
  ("latency NOOP: p99 us", "latency", "p99_us", False),
  ("idle 1000: RSS MiB", "idle-1000", "proxy_rss_kib_established", False),
  ("idle 9000: RSS MiB", "idle-9000", "proxy_rss_kib_established", False),
  ("idle: RSS slope KB/session", None, None, False),
]
proxies = ["nginx", "nginx-64k", "dovecot", "mailgate"]
def fmt(x, field):
  if x is None: return "-"
  if field == "proxy_rss_kib_established": x = x / 1024
  return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.2f}" if abs(x) < 10 else f"{x:.1f}"
head = ["scenario (median of %d round%s)" % (rounds, "" if rounds == 1 else "s"), "direct", "nginx", "nginx-64k",
        "Dovecot", "mailgate", "mailgate / better peer", "max spread"]
print("| " + " | ".join(head) + " |")
print("|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|")
for label, key, field, higher in metrics:
  med, spreads = {}, []
  for p in proxies + ["direct"]:
    v = slope(p) if key is None else vals(key, p, field)
    if v:
      m = statistics.median(v)
      med[p] = m
      if len(v) > 1 and m:
        spreads.append((max(v) - min(v)) / abs(m))
  peers = [med[p] for p in ("nginx", "nginx-64k", "dovecot") if p in med]
  better = (max(peers) if higher else min(peers)) if peers else None
  ratio = f"{med['mailgate'] / better:.2f}" if better and "mailgate" in med else "-"
  spread = f"{max(spreads) * 100:.0f}%" if spreads else ("n/a (1 round)" if rounds == 1 else "-")
  print("| " + " | ".join([label, fmt(med.get("direct"), field)] + [fmt(med.get(p), field) for p in proxies]
                          + [ratio, spread]) + " |")
errs = [r for r in rows if r.get("errors") or r.get("dropped_during_hold") or
        (r.get("key", "").startswith("idle") and r.get("established") != r.get("sessions"))]
for r in errs:
  print(f"note: {r['proxy']} {r['key']} round {r['round']}: errors={r.get('errors')} "
        f"established={r.get('established')} dropped={r.get('dropped_during_hold')} first_error={r.get('first_error')}")
if quick:
  print(f"note: --quick smoke run ({rounds} round{'' if rounds == 1 else 's'}, short windows): not for quoting")
PY
