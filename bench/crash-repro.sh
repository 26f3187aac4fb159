#!/usr/bin/env bash
# Runs bench's CrashRepro (the default backend probe, then threads in compiled loops, allocation of a
# 1M-item table, SIMD matmuls and forced GCs) RUNS times in fresh JVMs and counts exit statuses.
# It reproduces the SIGSEGV (exit 139, no hs_err) that PoCL's LLVM signal handlers caused after the
# default probe (docs/reliability.md). Environment: RUNS (10), SECONDS per run (15), ITEMS (1000000),
# JAVA_OPTS (extra JVM options; -Dcart.opencl.probe=inprocess restores the old in-process OpenCL probe).
# Runs the JVM directly (java --add-modules ... -cp, as the benchmarks run), not through cart's launcher.
# Needs cart/target/cart-engine.jar (./mvnw -pl cart -am package -DskipTests); compiles CrashRepro
# itself when bench/target/benchmarks.jar is missing.
set -uo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-10}; SECONDS_PER_RUN=${SECONDS:-15}; ITEMS=${ITEMS:-1000000}
JAR=cart/target/cart-engine.jar
[ -f "$JAR" ] || { echo "build $JAR first: ./mvnw -q -pl cart -am package -DskipTests" >&2; exit 2; }
if [ -f bench/target/benchmarks.jar ]; then CP=bench/target/benchmarks.jar; else
  CLS=bench/target/crash-repro-classes; mkdir -p "$CLS"
  javac -nowarn -d "$CLS" -cp "$JAR" --add-modules jdk.incubator.vector bench/src/main/java/org/cartengine/bench/CrashRepro.java 2>&1 | grep -v -i warning
  CP="$CLS:$JAR"
fi
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; java: $(java -version 2>&1 | head -1)"
echo "OpenCL ICDs: $(ls /etc/OpenCL/vendors 2>/dev/null | tr '\n' ' ')  CART_BACKEND=${CART_BACKEND:-unset}  LD_PRELOAD=${LD_PRELOAD:-unset}"
declare -A counts
LOG=$(mktemp -d)
for i in $(seq 1 "$RUNS"); do
  start=$(date +%s.%N)
  java --add-modules jdk.incubator.vector -Xmx4g ${JAVA_OPTS:-} -cp "$CP" org.cartengine.bench.CrashRepro "$SECONDS_PER_RUN" "$ITEMS" >"$LOG/run$i.txt" 2>&1
  rc=$?
  counts[$rc]=$(( ${counts[$rc]:-0} + 1 ))
  printf 'run %2d: exit %3d  %5.1f s  %s\n' "$i" "$rc" "$(echo "$(date +%s.%N) - $start" | bc)" "$(grep -a -m1 '^backend' "$LOG/run$i.txt" | cut -c1-110)"
done
# The cause, shown directly: with -Xcheck:jni the JVM reports any of its signal handlers a native library replaced.
java --add-modules jdk.incubator.vector -Xcheck:jni ${JAVA_OPTS:-} -cp "$CP" org.cartengine.bench.CrashRepro 2 100000 >"$LOG/xcheck.txt" 2>&1
echo "-Xcheck:jni run: $(grep -a -c 'handler modified' "$LOG/xcheck.txt") JVM signal handlers replaced; SIGSEGV handler: $(grep -a -m1 '^ *SIGSEGV:' "$LOG/xcheck.txt" | sed 's/, mask.*//; s/^ *//' || true)"
summary=""; for k in "${!counts[@]}"; do summary+="exit $k: ${counts[$k]}/$RUNS  "; done
echo "summary: $summary(hs_err files: $(ls hs_err_pid*.log 2>/dev/null | wc -l); logs in $LOG)"
[ -z "$(for k in "${!counts[@]}"; do [ "$k" != 0 ] && echo x; done)" ]
