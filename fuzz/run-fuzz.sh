#!/usr/bin/env bash
# Fuzzes mailgate's @FuzzTest targets for longer than the build does (the build only replays their corpora).
#
#   fuzz/run-fuzz.sh                       every target, 60 s each
#   fuzz/run-fuzz.sh all 300               every target, 300 s each
#   fuzz/run-fuzz.sh ImapCommandParserFuzzTest 120             both of the class's targets, 120 s each
#   fuzz/run-fuzz.sh ImapCommandParserFuzzTest#splitInputParsesAsWhole 600
#   fuzz/run-fuzz.sh --list                the targets
#
# Jazzer fuzzes one target per JVM (JAZZER_FUZZ=1 and one -Dtest=Class#method), in the fuzz-regression surefire
# execution. It keeps what it generated in .cifuzz-corpus/<class>/<method>/ (git-ignored; delete it to start
# afresh). A crashing input is written as crash-<sha1> into the target's seed directory,
# src/test/resources/<package>/<Class>Inputs/<method>/, so the build replays it from then on: rename it after what it
# shows, fix the bug, and add a named regression test to the class's unit test. The test's log, with libFuzzer's
# statistics, goes to target/fuzz-logs/<Class>.<method>.log; this script prints each target's executions.
set -euo pipefail

cd "$(dirname "$0")/.."
selection="${1:-all}"
seconds="${2:-60}"

# Every "Class#method" carrying @FuzzTest under src/test/java.
targets() {
  grep -rl --include='*FuzzTest.java' '@FuzzTest' src/test/java | sort | while read -r file; do
    class="$(basename "$file" .java)"
    awk -v class="$class" '/@FuzzTest/ { want = 1; next }
      want && match($0, /void [A-Za-z0-9_]+\(/) { print class "#" substr($0, RSTART + 5, RLENGTH - 6); want = 0 }' "$file"
  done
}

if [[ "$selection" == "--list" ]]; then
  targets
  exit 0
fi
case "$selection" in
  all) mapfile -t chosen < <(targets) ;;
  *#*) chosen=("$selection") ;;
  *) mapfile -t chosen < <(targets | grep "^${selection}#") ;;
esac
if [[ ${#chosen[@]} -eq 0 ]]; then
  echo "no @FuzzTest target matches '$selection' (see $0 --list)" >&2
  exit 2
fi

mvn -B -q -o test-compile
mkdir -p target/fuzz-logs
status=0
for target in "${chosen[@]}"; do
  log="target/fuzz-logs/${target/\#/.}.log"
  echo "== $target: ${seconds} s (log: $log)"
  # jazzer.internal.arg.N are libFuzzer's arguments (0 is its argv[0]); a later -max_total_time overrides the
  # annotation's maxDuration. Maven passes -D properties on to the test JVM, where JUnit reads them.
  # instrumentation_includes: under surefire the class path Jazzer inspects is one launcher jar, so without it the
  # fuzzer tracks coverage in the test class only, not in the parser it drives (91 edges against 734 in 30 s).
  if ! JAZZER_FUZZ=1 mvn -B -q -o surefire:test@fuzz-regression -Dtest="$target" \
      -Djazzer.instrumentation_includes='io.mailgate.**:com.nimbusds.**:io.netty.handler.codec.dns.**' \
      -Djazzer.internal.arg.0=jazzer -Djazzer.internal.arg.1="-max_total_time=${seconds}" >"$log" 2>&1; then
    status=1
    echo "   FAILED: a finding; see $log and the crash-* file in the target's seed directory"
  fi
  # libFuzzer's last words: "Done <executions> runs in <seconds> second(s)".
  grep -aE '^Done [0-9]+ runs' "$log" | tail -1 | sed 's/^/   /' || echo "   (no libFuzzer summary in $log)"
done
exit "$status"
