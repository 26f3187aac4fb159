#!/usr/bin/env bash
# The GPU check, in one command, on a GPU machine with python3 + torch and no JDK or Maven (build first on the
# dev machine with bench/gpu-build.sh; .jre and bench/target/gpu-check.jar travel with the tree):
#   1. CUDA parity: every Backend method against the reference backend, F32 and F64   (GpuCheck parity)
#   2. a short CART-shaped training step, checked against the reference backend        (GpuCheck train)
#   3. kernel benchmarks with CUDA events after warm-up, medians                       (GpuCheck bench)
#   4. PyTorch/cuBLAS on the same card, same shapes                                    (gpu_reference.py)
# and prints the joined table last (gpu_table.py). The full log and the raw results go to $OUT when set, else to
# bench/target/gpu-check-out. Exit status: non-zero when a parity or training check failed.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-bench/target/gpu-check-out}
mkdir -p "$out"
log="$out/gpu-check.log"
: > "$log"
java=.jre/bin/java
[ -x "$java" ] || java=$(command -v java || true)
jar=bench/target/gpu-check.jar
if [ -z "$java" ] || [ ! -f "$jar" ]; then
  echo "gpu-check: needs .jre/ (or a java on PATH) and $jar: run bench/gpu-build.sh on the dev machine first" | tee -a "$log"
  exit 2
fi
run_java() {
  "$java" --add-modules jdk.incubator.vector -Xmx16g -XX:+UseParallelGC -Dcart.backend="${CART_BACKEND:-cuda}" ${GPUCHECK_JAVA_OPTS:-} \
    -cp "$jar" org.cartengine.bench.gpu.GpuCheck "$@" 2>&1
}
{
  echo "== gpu-check $(date -u +%FT%TZ)"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader 2>&1 || echo "(no nvidia-smi)"
} | tee -a "$log"

status=0
echo "== 1. CUDA parity" | tee -a "$log"
run_java parity | tee -a "$log" | tee "$out/parity.tsv" | grep -v '^RESULT'
[ "${PIPESTATUS[0]}" = 0 ] || status=1
echo "== 2. CART-shaped training step" | tee -a "$log"
run_java train | tee -a "$log" | tee "$out/train.tsv" | grep -v '^RESULT'
[ "${PIPESTATUS[0]}" = 0 ] || status=1
echo "== 3. kernel benchmarks (cart-engine)" | tee -a "$log"
run_java bench | tee -a "$log" > "$out/bench.tsv"
[ "${PIPESTATUS[0]}" = 0 ] || status=1
grep -v '^RESULT' "$out/bench.tsv" | tail -n 3
echo "== 4. PyTorch on the same card" | tee -a "$log"
python3 bench/gpu_reference.py 2>&1 | tee -a "$log" > "$out/torch.tsv" || echo "(PyTorch reference failed; see $log)"
cat "$out/parity.tsv" "$out/train.tsv" "$out/bench.tsv" > "$out/ours.tsv"
python3 bench/gpu_table.py "$out/ours.tsv" "$out/torch.tsv" | tee "$out/table.md" | tee -a "$log"
[ "$status" = 0 ] && echo "gpu-check: parity and training checks passed" || echo "gpu-check: FAILED (see $log)"
exit $status
