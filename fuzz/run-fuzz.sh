#!/usr/bin/env bash
# Fuzzes mailgate's @FuzzTest targets for longer than the build does (mvn verify gives each one 4 s).
#
#   fuzz/run-fuzz.sh                       every target, 60 s each
#   fuzz/run-fuzz.sh all 300               every target, 300 s each
#   fuzz/run-fuzz.sh ImapCommandParserFuzzTest 120             both of the class's targets, 120 s each
#   fuzz/run-fuzz.sh ImapCommandParserFuzzTest#splitInputParsesAsWhole 600
#   fuzz/run-fuzz.sh --list                the targets
#   FUZZ_JOBS=1 fuzz/run-fuzz.sh all 300   one target at a time (default: one per core, at most two)
#
# The same runner as the build's short pass (surefire execution "fuzz", src/test/java/io/mailgate/fuzz/FuzzPass.java):
# libFuzzer runs once per process, so each target gets a JVM of its own (JAZZER_FUZZ=1, Jazzer instrumenting
# mailgate's classes and the parsing libraries). Jazzer keeps what it generated in .cifuzz-corpus/<class>/<method>/
# (git-ignored; delete it to start afresh). A crashing input is written as crash-<sha1> into the target's seed
# directory, src/test/resources/<package>/<Class>Inputs/<method>/, so the build replays it from then on: rename it
# after what it shows, fix the bug, and add a named regression test to the class's unit test. Each target's log, with
# libFuzzer's statistics and the command line to run it by hand, goes to target/fuzz-logs/<Class>.<method>.log; one
# line per target gives its executions, and the run fails naming every finding.
set -euo pipefail

cd "$(dirname "$0")/.."
selection="${1:-all}"
seconds="${2:-60}"
list=false
if [[ "$selection" == "--list" ]]; then
  list=true
  selection=all
fi
exec mvn -B -q -o test-compile surefire:test@fuzz -Dfuzz.selection="$selection" -Dfuzz.seconds="$seconds" \
  -Dfuzz.list="$list" -Dfuzz.jobs="${FUZZ_JOBS:-0}"
