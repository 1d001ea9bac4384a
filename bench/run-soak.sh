#!/usr/bin/env bash
# mailgate's soak (issue 15): N concurrent IMAP sessions through bin/mailgate to a real, private Dovecot 2.3 for at
# least M minutes, mixing logins of every mechanism, FETCH and APPEND of messages up to 10 MiB (each checked byte for
# byte), IDLE and abrupt disconnects, while mailgate's heap, live heap, direct memory, RSS, descriptors and threads
# are sampled every 10 s. Prints the samples and PASS or FAIL (see bench/README.md, "Soak"). Not part of any build.
#
#   bench/run-soak.sh [--sessions 10000] [--minutes 10] [--warmup 2] [--workers 16] [--users 200] [--ramp 200]
#                     [--no-build] [--keep]
#
# --minutes: the window during which all sessions are held (after the ramp that opens them); --warmup: its first
#   minutes, not judged for flatness. --workers: sessions doing FETCH/APPEND/NOOP/IDLE at any time (the rest IDLE
#   for 1-4 minutes each and are replaced). --users: mailboxes (every fifth holds a 10 MiB message).
# --no-build: use the jars already built (target/mailgate.jar, bench/target/mailgate-bench.jar); they are copied.
# --keep: leave the work folder (configurations, logs, samples.csv, Dovecot's mail) in place; kept anyway on FAIL.
# Exit status 0 only on PASS. Needs root on Debian/Ubuntu (installs dovecot-imapd if missing, raises ulimit -n for
# the processes it starts), a JDK 17+, Maven and python3. Everything listens on 127.0.0.1 (ports from
# SOAK_PORT_BASE, default 23000); every process started here is stopped on exit.
set -euo pipefail

SESSIONS=10000
MINUTES=10
WARMUP=2
WORKERS=16
USERS=200
RAMP=200
BUILD=1
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --sessions) SESSIONS="$2"; shift 2 ;;
    --minutes) MINUTES="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --workers) WORKERS="$2"; shift 2 ;;
    --users) USERS="$2"; shift 2 ;;
    --ramp) RAMP="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "run-soak: unknown option $1" >&2; exit 2 ;;
  esac
done
for v in "$SESSIONS" "$WORKERS" "$USERS" "$RAMP"; do
  case "$v" in ''|*[!0-9]*|0) echo "run-soak: counts must be positive whole numbers" >&2; exit 2 ;; esac
done
for v in "$MINUTES" "$WARMUP"; do
  case "$v" in ''|*[!0-9.]*) echo "run-soak: --minutes and --warmup take minutes" >&2; exit 2 ;; esac
done
[ "$(id -u)" = 0 ] || { echo "run-soak: run as root (ulimit -n, Dovecot)" >&2; exit 2; }

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BASE_PORT=${SOAK_PORT_BASE:-23000}
P_DOVECOT=$((BASE_PORT + 143)) P_AUTH=$((BASE_PORT + 80)) P_MAILGATE=$((BASE_PORT + 1)) P_METRICS=$((BASE_PORT + 90))

log() { echo "[$(date -u +%H:%M:%S)] $*"; }

# Descriptors: mailgate holds two per session (client and backend), the load generator one, each Dovecot imap
# process one per session it serves plus its mailbox files. Raised here, for the processes this script starts only;
# where the hard limit cannot be raised (no CAP_SYS_RESOURCE, as in some containers), it is the ceiling.
ulimit -Hn 262144 2>/dev/null || true
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
NOFILE=$(ulimit -n)
NEED=$((SESSIONS * 2 + 300)) # mailgate: two per session, its jars, event loops, listeners, auth_http pool
if [ "$NOFILE" -lt "$NEED" ]; then
  echo "run-soak: WARNING: ulimit -n is $NOFILE (hard limit $(ulimit -Hn), not raisable here), but mailgate needs" \
    "about $NEED descriptors for $SESSIONS sessions: it can hold at most about $(((NOFILE - 300) / 2)). Running" \
    "anyway, to show what happens at the limit."
fi

if ! command -v dovecot >/dev/null 2>&1 && [ ! -x /usr/sbin/dovecot ]; then
  log "installing dovecot-imapd"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q dovecot-imapd >/dev/null \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q dovecot-imapd >/dev/null; }
fi
DOVECOT=$(command -v dovecot || echo /usr/sbin/dovecot)
DOVECOT_VERSION=$("$DOVECOT" --version)
case "$DOVECOT_VERSION" in 2.3.*) ;; *) echo "run-soak: needs Dovecot 2.3, found $DOVECOT_VERSION" >&2; exit 1 ;; esac

WORK=$(mktemp -d /tmp/mailgate-soak.XXXXXX)
chmod 755 "$WORK" # Dovecot's login processes (dovenull) and mail processes (nobody) traverse it
STARTED=()
RESULT=1
stop_pid() { # TERM, then KILL after a bounded wait
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  [ -f "$WORK/dovecot/dovecot.conf" ] && "$DOVECOT" -c "$WORK/dovecot/dovecot.conf" stop >/dev/null 2>&1 || true
  for pid in "${STARTED[@]}"; do stop_pid "$pid"; done
  if [ "$KEEP" = 1 ] || [ "$RESULT" != 0 ]; then log "work folder kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_port() { # bounded: 30 s
  local port=$1 i
  for i in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "run-soak: nothing listens on 127.0.0.1:$port" >&2
  return 1
}

# Build, then copy: a running JVM reads classes lazily from its jar, and a rebuild would rewrite it.
if [ "$BUILD" = 1 ]; then
  log "building mailgate (mvn install) and the bench jar (mvn package)"
  (cd "$ROOT" && mvn -B -q -DskipTests install)
  (cd "$ROOT/bench" && mvn -B -q -DskipTests package)
fi
mkdir -p "$WORK/mailgate/bin" "$WORK/mailgate/target" "$WORK/mailgate/logs" "$WORK/dovecot"/{run,state,mail}
cp "$ROOT/target/mailgate.jar" "$WORK/mailgate/target/mailgate.jar"
cp "$ROOT/bin/mailgate" "$WORK/mailgate/bin/mailgate" # the shipped launcher, JVM flags unchanged
cp "$ROOT/bench/target/mailgate-bench.jar" "$WORK/mailgate-bench.jar"
BJAR="$WORK/mailgate-bench.jar"

# Users with random passwords and tokens: soak.users (user:password:token) for the load generator and the auth
# service, Dovecot's passwd-file with the same passwords.
python3 - "$USERS" "$WORK/soak.users" "$WORK/dovecot/users" <<'EOF'
import secrets, sys
n, soak, dove = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(soak, "w") as s, open(dove, "w") as d:
    for i in range(n):
        user, pw, tok = "soak%04d@example.com" % i, secrets.token_hex(12), secrets.token_hex(20)
        s.write("%s:%s:%s\n" % (user, pw, tok))
        d.write("%s:{PLAIN}%s\n" % (user, pw))
EOF
chmod 644 "$WORK/dovecot/users"
chown 65534:65534 "$WORK/dovecot/mail" # Dovecot refuses mail access as root: mail belongs to nobody

# A private Dovecot: its own base_dir, state and log. IMAP logins are handed to imap processes that each serve up
# to 250 sessions (client_limit; 10,000 one-session processes would not fit), the login processes run in
# high-performance mode (service_count = 0), and per-user limits are raised (every session comes from 127.0.0.1).
cat >"$WORK/dovecot/dovecot.conf" <<EOF
protocols = imap
listen = 127.0.0.1
base_dir = $WORK/dovecot/run
state_dir = $WORK/dovecot/state
log_path = $WORK/dovecot/dovecot.log
info_log_path = $WORK/dovecot/dovecot-info.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:$WORK/dovecot/mail/%u
# The disk is not under test: no fsync per saved message.
mail_fsync = never
default_client_limit = 4000
default_process_limit = 200
default_vsz_limit = 2G
verbose_proctitle = no
protocol imap {
  mail_max_userip_connections = 5000
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $WORK/dovecot/users
}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=$WORK/dovecot/mail/%u
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
  process_min_avail = 2
  process_limit = 4
  client_limit = 4000
  vsz_limit = 1G
}
service imap {
  service_count = 0
  client_limit = 250
  process_limit = 200
  vsz_limit = 2G
}
EOF
log "starting Dovecot $DOVECOT_VERSION on 127.0.0.1:$P_DOVECOT"
"$DOVECOT" -F -c "$WORK/dovecot/dovecot.conf" >"$WORK/dovecot/stdout.log" 2>&1 &
DOVECOT_PID=$!
STARTED+=("$DOVECOT_PID")
wait_port "$P_DOVECOT"

log "starting the auth service (checks every login against soak.users) on 127.0.0.1:$P_AUTH"
java -Xmx256m -cp "$BJAR" io.mailgate.bench.AuthService --listen "127.0.0.1:$P_AUTH" \
  --imap "127.0.0.1:$P_DOVECOT" --users "$WORK/soak.users" >"$WORK/auth-service.log" 2>&1 &
STARTED+=("$!")
wait_port "$P_AUTH"

cat >"$WORK/mailgate/soak.conf" <<EOF
worker_processes 2;
pid $WORK/mailgate/mailgate.pid;
error_log $WORK/mailgate/error.log info;
metrics_listen 127.0.0.1:$P_METRICS;
events { worker_connections 40000; }
mail {
  server_name soak.example.com;
  auth_http 127.0.0.1:$P_AUTH/auth;
  proxy_pass_error_message on;
  server {
    listen 127.0.0.1:$P_MAILGATE;
    protocol imap;
    imap_auth login plain cram-md5 xoauth2 oauthbearer;
  }
}
EOF
log "starting mailgate on 127.0.0.1:$P_MAILGATE (metrics on :$P_METRICS)"
"$WORK/mailgate/bin/mailgate" -p "$WORK/mailgate" -c "$WORK/mailgate/soak.conf" >"$WORK/mailgate/stdout.log" 2>&1 &
MAILGATE_PID=$!
STARTED+=("$MAILGATE_PID")
wait_port "$P_MAILGATE"
wait_port "$P_METRICS"
log "mailgate pid $MAILGATE_PID ($(java -version 2>&1 | head -1)); Dovecot master pid $DOVECOT_PID"
log "soak: $SESSIONS sessions, $WORKERS workers, $USERS users, ${MINUTES} min window (first ${WARMUP} min warm-up)"

# The kernel's TCP counters around the run (all traffic is on loopback, so every drop, reset or overflow is ours):
# a failed connect to Dovecot is explained, or ruled out, by listen-queue overflows, SYN drops or resets.
nstat -az >"$WORK/nstat.before" 2>/dev/null || true

# The load generator: 2 event loops; its heap holds at most a few dozen messages in flight.
set +e
java -Xmx3g -XX:MaxDirectMemorySize=3g -cp "$BJAR" io.mailgate.bench.LoadGen soak \
  --target "127.0.0.1:$P_MAILGATE" --seed-target "127.0.0.1:$P_DOVECOT" --users "$WORK/soak.users" \
  --pid "$MAILGATE_PID" --metrics "http://127.0.0.1:$P_METRICS/metrics" --backend-pid "$DOVECOT_PID" \
  --sessions "$SESSIONS" --workers "$WORKERS" --ramp "$RAMP" --duration "${MINUTES}m" --warmup "${WARMUP}m" \
  --csv "$WORK/samples.csv" 2>"$WORK/loadgen.err"
SOAK=$?
set -e
[ -s "$WORK/loadgen.err" ] && { echo "--- load generator stderr (last 20 lines):"; tail -20 "$WORK/loadgen.err"; }

nstat -az >"$WORK/nstat.after" 2>/dev/null || true
if [ -s "$WORK/nstat.before" ] && [ -s "$WORK/nstat.after" ]; then
  echo "kernel TCP counters that moved during the run (listen overflows, drops, resets, TIME-WAIT reuse):"
  awk 'NR == FNR { before[$1] = $2; next }
       $1 ~ /ListenOverflows|ListenDrops|TCPReqQFullDrop|TCPBacklogDrop|AttemptFails|EstabResets|OutRsts|TCPAbortOn|TCPTimeWaitOverflow|TW|SynRetrans|TCPSYNChallenge|TCPChallengeACK|PAWS|TCPTimeouts/ && $2 - before[$1] != 0 {
         printf "  %-28s %d\n", $1, $2 - before[$1] }' "$WORK/nstat.before" "$WORK/nstat.after"
fi

# The logs: mailgate must not have logged an error (or a Netty leak report), Dovecot no Error/Panic/Fatal.
echo
echo "mailgate error log: $(wc -l <"$WORK/mailgate/error.log") lines; by level:"
grep -o '\[[a-z]*\]' "$WORK/mailgate/error.log" 2>/dev/null | sort | uniq -c || true
MG_BAD=$({ grep -hE '\[(error|crit|alert|emerg)\]|LEAK' "$WORK/mailgate/error.log" "$WORK/mailgate/stdout.log" \
  2>/dev/null || true; } | wc -l)
if [ "$MG_BAD" -gt 0 ]; then
  echo "mailgate logged $MG_BAD error/leak lines, the first ones:"
  grep -hE '\[(error|crit|alert|emerg)\]|LEAK' "$WORK/mailgate/error.log" "$WORK/mailgate/stdout.log" | head -10
fi
echo "mailgate info lines, by message (digits folded):"
grep -h '\[info\]' "$WORK/mailgate/error.log" 2>/dev/null | sed -E 's/^[^]]*\] [0-9#*: ]*//; s/, (client|session|server|login|upstream): .*//; s/[0-9]+/#/g' \
  | sort | uniq -c | sort -rn | head -12 || true
DV_BAD=$(grep -cE '(Error|Panic|Fatal):' "$WORK/dovecot/dovecot.log" 2>/dev/null || true)
DV_BAD=${DV_BAD:-0}
echo "Dovecot: $DV_BAD Error/Panic/Fatal lines; warnings:"
[ "$DV_BAD" -gt 0 ] && grep -E '(Error|Panic|Fatal):' "$WORK/dovecot/dovecot.log" | head -10
grep 'Warning:' "$WORK/dovecot/dovecot.log" 2>/dev/null | sed -E 's/^[^:]*: //; s/[0-9]+/#/g' | sort | uniq -c | head -5 || true

if [ "$SOAK" = 0 ] && [ "$MG_BAD" = 0 ] && [ "$DV_BAD" = 0 ]; then
  RESULT=0
  echo "run-soak: PASS"
else
  echo "run-soak: FAIL (load generator exit $SOAK, mailgate error lines $MG_BAD, Dovecot error lines $DV_BAD)"
fi
exit "$RESULT"
