#!/usr/bin/env bash
# The GPU check, in one command, on a GPU machine with python3 + torch and no JDK or Maven (build first on the
# dev machine with bench/gpu-build.sh; .jre and bench/target/gpu-check.jar travel with the tree):
#   1. CUDA parity: every Backend method against the reference backend, F32 and F64   (GpuCheck parity)
#   2. a short CART-shaped training step, checked against the reference backend        (GpuCheck train)
#   3. kernel benchmarks with CUDA events after warm-up, medians                       (GpuCheck bench)
#   4. PyTorch/cuBLAS on the same card, same shapes                                    (gpu_reference.py)
#   5. CART's training step (TrainThroughput) at the CLI's default and the paper's shape,
#      beside the PyTorch CART of bench/torch_reference on the same card                (speed.py --device cuda)
#   6. the batched beam search on CUDA at 1K and 1M items                              (SearchThroughput)
#   7. whether JCublas loads, and cuBLAS SGEMM through it if it does                   (GpuCheck jcublas)
# and prints the joined table last (gpu_table.py). The full log and the raw results go to $OUT when set, else to
# bench/target/gpu-check-out. ONLY="1 2 5" runs those sections alone (a short device session). Exit status: non-zero
# when a parity or training check failed.
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
want() { [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $1 "* ]]; }
for f in parity train bench jcublas; do : > "$out/$f.tsv"; done
: > "$out/torch.tsv"
if want 1; then
echo "== 1. CUDA parity" | tee -a "$log"
run_java parity | tee -a "$log" | tee "$out/parity.tsv" | grep -v '^RESULT'
[ "${PIPESTATUS[0]}" = 0 ] || status=1
fi
if want 2; then
echo "== 2. CART-shaped training step" | tee -a "$log"
run_java train | tee -a "$log" | tee "$out/train.tsv" | grep -v '^RESULT'
[ "${PIPESTATUS[0]}" = 0 ] || status=1
fi
if want 3; then
echo "== 3. kernel benchmarks (cart-engine)" | tee -a "$log"
run_java bench | tee -a "$log" > "$out/bench.tsv"
[ "${PIPESTATUS[0]}" = 0 ] || status=1
grep -v '^RESULT' "$out/bench.tsv" | tail -n 3
fi
if want 4; then
echo "== 4. PyTorch on the same card" | tee -a "$log"
python3 bench/gpu_reference.py 2>&1 | tee -a "$log" > "$out/torch.tsv" || echo "(PyTorch reference failed; see $log)"
fi
# Each later section is bounded, so that a slow one cannot eat the parts after it.
jrun() { timeout "$1" "$java" --add-modules jdk.incubator.vector -Xmx16g -XX:+UseParallelGC -Dcart.backend="${CART_BACKEND:-cuda}" -cp "$jar" "${@:2}" 2>&1; }
small=$([ -n "${GPUCHECK_JAVA_OPTS:-}" ] && echo 1 || echo 0)
torch_dev=$([ "${CART_BACKEND:-cuda}" = cuda ] && echo cuda || echo cpu)
if want 5; then
echo "== 5. CART training step, ours and the PyTorch CART, same card" | tee -a "$log"
for shape in "--d-model 64 --ffn 128 --heads 4 --batch 128" "--d-model 256 --ffn 1024 --heads 8 --batch 256"; do
  steps=$([ "$small" = 1 ] && echo 2 || echo 20)
  jrun 100 org.cartengine.bench.TrainThroughput --steps "$steps" $shape | grep -v WARNING | tee -a "$log" | tee -a "$out/cart-train.txt"
  timeout 90 env PYTHONPATH=bench/torch_reference python3 bench/torch_reference/speed.py --device "$torch_dev" --steps "$steps" --warmup 3 $shape 2>&1 \
    | tee -a "$log" | tee -a "$out/cart-train.txt"
done
fi
if want 6; then
echo "== 6. batched beam search on ${CART_BACKEND:-cuda}" | tee -a "$log"
for n in 1000 1000000; do
  [ "$small" = 1 ] && [ "$n" -gt 1000 ] && continue
  jrun 120 org.cartengine.bench.SearchThroughput "$n" 2048 64 3 | grep -v WARNING | tee -a "$log" | tee -a "$out/search.txt"
done
fi
if want 7; then
echo "== 7. JCublas" | tee -a "$log"
jrun 90 org.cartengine.bench.gpu.GpuCheck jcublas | grep -v WARNING | tee -a "$log" > "$out/jcublas.tsv"
grep -v '^RESULT' "$out/jcublas.tsv"
fi
cat "$out/parity.tsv" "$out/train.tsv" "$out/bench.tsv" "$out/jcublas.tsv" > "$out/ours.tsv"
python3 bench/gpu_table.py "$out/ours.tsv" "$out/torch.tsv" | tee "$out/table.md" | tee -a "$log"
[ "$status" = 0 ] && echo "gpu-check: parity and training checks passed" || echo "gpu-check: FAILED (see $log)"
exit $status
