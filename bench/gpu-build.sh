#!/usr/bin/env bash
# Builds, on the dev machine, what bench/gpu-check.sh needs on a GPU machine that has no JDK and no Maven:
#   bench/target/gpu-check.jar  every class and resource (PTX included, nvcc must be on PATH) in one jar,
#                               without the native libraries the check does not load (~10 MB)
#   .jre/                       a jlink Java runtime (~40 MB; keep it out of git)
# Then, on the GPU machine: bench/gpu-check.sh (with the two paths above carried along).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v nvcc >/dev/null || { echo "gpu-build: nvcc is not on PATH, so the jar would carry no PTX" >&2; exit 1; }
./mvnw -q -B ${MVN_OFFLINE:--o} -pl bench -am -DskipTests package
cp bench/target/benchmarks.jar bench/target/gpu-check.jar
# JCuda's runtime/NVRTC/PTX-compiler bindings and other platforms' JOCL libraries are not used here.
zip -q -d bench/target/gpu-check.jar 'lib/libJNvPTXCompiler*' 'lib/libJNvrtc*' 'lib/libJCudaRuntime*' \
  'lib/*apple*' 'lib/*windows*' 'lib/*arm64*' >/dev/null || true
listing=$(unzip -l bench/target/gpu-check.jar)
grep -q 'kernels/cuda/gemm_f32.sm75.ptx' <<<"$listing" || { echo "gpu-build: no PTX in the jar" >&2; exit 1; }
rm -rf .jre
jlink --add-modules java.base,java.logging,jdk.incubator.vector,jdk.unsupported,jdk.httpserver,java.management \
  --strip-debug --no-header-files --no-man-pages --compress=2 --output .jre
du -sh bench/target/gpu-check.jar .jre
echo "gpu-build: done. On the GPU machine run bench/gpu-check.sh, carrying .jre and bench/target/gpu-check.jar"
