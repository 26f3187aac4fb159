#!/usr/bin/env bash
# One sitting: the training step of this tree, of a baseline jar (e.g. main built from another
# worktree) and of the PyTorch reference, interleaved round by round so that all three see the same
# machine load; then the paper's shape against PyTorch; then SGEMM 1024^2 on both cores against numpy.
#   bench/train_vs_torch.sh BASELINE_JAR [ROUNDS]
# THIS_JAR=path overrides this tree's bench/target/benchmarks.jar (e.g. a copy, while a build runs).
# PyTorch: Debian's python3-torch (1.13) for /usr/bin/python3 with Debian's OpenMP OpenBLAS as its BLAS
# (apt-get install python3-torch libopenblas0-openmp); OMP_WAIT_POLICY=PASSIVE keeps its idle OpenMP
# threads from spinning against the other jobs of a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:?usage: bench/train_vs_torch.sh BASELINE_JAR [ROUNDS]}
rounds=${2:-3}
this=${THIS_JAR:-bench/target/benchmarks.jar}
java=(java --add-modules jdk.incubator.vector -cp)
torch=(env OMP_WAIT_POLICY=PASSIVE LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp PYTHONPATH=bench/torch_reference /usr/bin/python3 bench/torch_reference/speed.py)
lscpu | grep -E "Model name|^CPU\(s\)"
grep -q avx512f /proc/cpuinfo && echo "avx512f: yes" || echo "avx512f: no"
for r in $(seq "$rounds"); do
  echo "== round $r: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo -n "baseline: "; "${java[@]}" "$base" org.cartengine.bench.TrainThroughput --steps 20 2>/dev/null | grep "train step"
  echo -n "this tree: "; "${java[@]}" "$this" org.cartengine.bench.TrainThroughput --steps 20 2>/dev/null | grep "train step"
  echo -n "pytorch: "; "${torch[@]}" --steps 20 --threads 2
done
echo "== paper shape (d_model 256, FFN 1024, 8 heads, batch 256): $(cut -d' ' -f1-3 /proc/loadavg)"
echo -n "this tree: "; "${java[@]}" "$this" org.cartengine.bench.TrainThroughput --steps 8 --d-model 256 --ffn 1024 --heads 8 --batch 256 2>/dev/null | grep "train step"
echo -n "pytorch: "; "${torch[@]}" --steps 8 --warmup 3 --d-model 256 --ffn 1024 --heads 8 --batch 256 --threads 2
echo "== SGEMM 1024^2, both cores: $(cut -d' ' -f1-3 /proc/loadavg)"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 bench/openblas_sgemm.py 1024
java -jar "$this" MatmulBench -p shape=1024 -f 1 -wi 3 -i 5 2>/dev/null | grep -E "^MatmulBench|Benchmark"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 bench/openblas_sgemm.py 1024
echo "== end: $(cut -d' ' -f1-3 /proc/loadavg)"
