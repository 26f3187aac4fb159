#!/usr/bin/env bash
# Exact inner-product top-10 on random unit vectors: ExactTopK and the old full-score-matrix way (Java), then FAISS's
# IndexFlatIP on 2 threads, same sizes, dim and batches, in one sitting. Builds nothing: first run
#   ./mvnw -B -q -o -pl bench -am -DskipTests package
# Usage: bench/exact-search-vs-faiss.sh [sizes 100000,1000000] [batches 2048,256] [dim 256] [queries 2048]
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${1:-100000,1000000}
batches=${2:-2048,256}
dim=${3:-256}
nq=${4:-2048}
jar=bench/target/benchmarks.jar
[ -f "$jar" ] || { echo "no $jar: build it with ./mvnw -B -q -o -pl bench -am -DskipTests package" >&2; exit 1; }
mkdir -p bench/results
out=bench/results/exact-search-vs-faiss-$(date +%Y-%m-%d).txt
{
  echo "# $(date -Is) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, avx512f: $(grep -q ' avx512f' /proc/cpuinfo && echo yes || echo no), $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "## Java (ExactTopK, naive)"
  java --add-modules jdk.incubator.vector -Xmx12g -cp "$jar" org.cartengine.bench.ExactSearchThroughput "$sizes" "$batches" "$dim" "$nq" 2>&1 | grep -v '^WARNING'
  echo "## FAISS"
  # Debian's python3-faiss lives in /usr/bin/python3's dist-packages, which another python3 first on PATH (pyenv) does not see.
  py=
  for p in python3 /usr/bin/python3; do
    if "$p" -c 'import faiss' 2>/dev/null; then py=$p; break; fi
  done
  if [ -z "$py" ]; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-faiss >/dev/null
      /usr/bin/python3 -c 'import faiss' 2>/dev/null && py=/usr/bin/python3
    fi
    [ -n "$py" ] || echo "faiss is not importable (python3-faiss not installed, or not root to install it): FAISS left out"
  fi
  # Debian's faiss calls whatever libblas.so.3 the alternatives system points to; with only the reference (netlib) BLAS
  # installed, FAISS's flat search runs at a few GFLOP/s. OpenBLAS is what a FAISS user runs on.
  if [ -n "$py" ] && ! update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | grep -q '^Value:.*openblas'; then
    if [ "$(id -u)" = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libopenblas0-pthread >/dev/null
    else echo "warning: libblas.so.3 is not OpenBLAS (install libopenblas0-pthread): FAISS runs on the reference BLAS"; fi
  fi
  echo "# libblas.so.3 -> $(update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | sed -n 's/^Value: //p')"
  if [ -n "$py" ]; then
    (unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE; "$py" bench/exact_search_faiss.py "$sizes" "$batches" "$dim" "$nq")
  fi
} 2>&1 | tee "$out"
echo "written to $out"
