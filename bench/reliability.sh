#!/usr/bin/env bash
# The long reliability runs recorded in README.md ("Reliability"): kill -9 trials on real train/index/enhance
# processes (reference backend, then simd), and random hostile dataset directories through the CLI.
# Usage: bench/reliability.sh [KILL_TRIALS] [SIMD_KILL_TRIALS] [HOSTILE_CASES]   (defaults 24, 6, 2000)
# The full-disk and read-only cases run in every `./mvnw -B verify` as root (FullDiskTest).
set -euo pipefail
cd "$(dirname "$0")/.."
trials=${1:-24}; simd_trials=${2:-6}; cases=${3:-2000}
lscpu | grep -E "Model name" || true; uptime
./mvnw -q -DskipTests install
run() { ./mvnw -o -pl tests surefire:test -Dtest="$1" -Dsurefire.failIfNoSpecifiedTests=false "${@:2}"; }
run KillResumeTest -Dkill.trials="$trials" -Dkill.backend=reference | grep -E "kill -9|Tests run"
run KillResumeTest -Dkill.trials="$simd_trials" -Dkill.backend=simd -Dkill.seed=77 | grep -E "kill -9|Tests run"
run HostileDatasetTest -Dhostile.cases="$cases" | grep -E "Tests run"
cat tests/target/hostile-datasets.tsv
uptime
