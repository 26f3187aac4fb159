#!/usr/bin/env bash
# Builds, on the dev machine, what bench/gpu-check.sh needs on a GPU machine that has no JDK and no Maven:
#   bench/target/gpu-check.jar  the engine, the kernels (PTX included: nvcc must be on PATH), JCuda's driver
#                               binding, JOCL and the check itself, in one jar (~1.5 MB)
#   .jre/                       a jlink Java runtime (~40 MB; keep it out of git)
#   (the whole benchmarks jar less what a GPU run never loads, ~6 MB)
# Then, on the GPU machine: bench/gpu-check.sh (with the two paths above carried along).
# Maven runs offline (-o); MVN_OFFLINE= bench/gpu-build.sh lets it fetch missing plugins or dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v nvcc >/dev/null || { echo "gpu-build: nvcc is not on PATH, so the jar would carry no PTX" >&2; exit 1; }
./mvnw -q -B ${MVN_OFFLINE--o} -pl bench -am -DskipTests package
# The benchmarks jar without what a GPU run never loads (WordNet for caption enhancement, the embedded dataset, the
# NVPTX compiler, other platforms' natives), so that the jar and the runtime fit the 64 MiB that
# travel: GpuCheck, TrainThroughput and SearchThroughput on CUDA, JCublas.
stage=bench/target/gpu-check-classes
rm -rf "$stage" bench/target/gpu-check.jar
mkdir -p "$stage"
unzip -q bench/target/benchmarks.jar -d "$stage" -x 'net/sf/extjwnl/data/*' 'datasets/*' 'lib/libJNvPTXCompiler-*' \
  'lib/*windows*' 'lib/*apple*' 'lib/*arm64*' 'lib/*ppc*' 'lib/*.dll' 'lib/*.dylib'
jar --create --file bench/target/gpu-check.jar -C "$stage" .
listing=$(unzip -l bench/target/gpu-check.jar)
grep -q 'kernels/cuda/gemm_f32.sm75.ptx' <<<"$listing" || { echo "gpu-build: no PTX in the jar" >&2; exit 1; }
rm -rf .jre
jlink --add-modules java.base,java.logging,jdk.incubator.vector,jdk.unsupported,jdk.httpserver,java.management,jdk.management,jdk.jfr \
  --strip-debug --no-header-files --no-man-pages --compress=2 --output .jre
du -sh bench/target/gpu-check.jar .jre
echo "gpu-build: done. On the GPU machine run bench/gpu-check.sh, carrying .jre and bench/target/gpu-check.jar"
