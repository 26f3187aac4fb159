#!/usr/bin/env bash
# Compiles every kernel family in SRC (one .cu file each) to PTX under OUT/kernels/cuda, as the Maven build's
# generate-resources step. Each family is built for float and double (-DREAL_F64) at sm_75, the oldest
# architecture CUDA 13 supports (the driver JIT-compiles that PTX for newer GPUs); families with an
# sm_80-only path (the TF32 tensor-core GEMM) also get an sm_80 build, which CudaBackend prefers on cc >= 8.0.
# Each PTX is also assembled for sm_90 with ptxas (when present), as the driver will on an H100/H200.
# A kernel that fails to compile fails the build. Without nvcc on PATH it only writes a NO_PTX marker, and the
# CUDA backend then reports itself unavailable with that reason.
set -euo pipefail
src=${1:?usage: build-ptx.sh SRC_DIR OUTPUT_DIR}
out=${2:?usage: build-ptx.sh SRC_DIR OUTPUT_DIR}/kernels/cuda
mkdir -p "$out"
families="elementwise reduce softmax layernorm embedding attention vq adam gemm"
sm80_families="gemm"

if ! command -v nvcc >/dev/null 2>&1; then
  echo "[kernels] nvcc is not on PATH: PTX not packaged, the CUDA backend will report itself unavailable"
  rm -f "$out"/*.ptx "$out/NVCC_VERSION"
  echo "build had no nvcc" > "$out/NO_PTX"
  exit 0
fi
rm -f "$out/NO_PTX"

# compile FAMILY DTYPE ARCH: rebuilds only when the source or a shared header is newer than the PTX.
compile() {
  local f=$1 dt=$2 arch=$3
  local ptx="$out/${f}_${dt}.sm${arch}.ptx"
  if [ -f "$ptx" ] && [ "$ptx" -nt "$src/$f.cu" ] && [ "$ptx" -nt "$src/common.h" ] && [ "$ptx" -nt "$src/launch.h" ]; then return 0; fi
  local def=""
  [ "$dt" = f64 ] && def="-DREAL_F64"
  if ! nvcc -ptx -arch=sm_${arch} -std=c++17 $def -I "$src" -o "$ptx.tmp" "$src/$f.cu"; then
    rm -f "$ptx.tmp"
    echo "[kernels] FAILED: nvcc -ptx -arch=sm_${arch} $def $f.cu" >&2
    return 1
  fi
  # Assemble it for sm_90 (H100/H200) as the driver's JIT will, so a PTX the JIT would reject fails here.
  if command -v ptxas >/dev/null 2>&1 && ! ptxas -arch=sm_90 -o /dev/null "$ptx.tmp"; then
    rm -f "$ptx.tmp"
    echo "[kernels] FAILED: ptxas -arch=sm_90 on ${f}_${dt}.sm${arch}.ptx" >&2
    return 1
  fi
  mv "$ptx.tmp" "$ptx"
  echo "[kernels] ${f}_${dt}.sm${arch}.ptx"
}

# Compile in parallel, one job per core; any failed job fails the build.
jobs=$(nproc 2>/dev/null || echo 2)
pids=()
status=0
run() {
  compile "$@" &
  pids+=($!)
  if [ "${#pids[@]}" -ge "$jobs" ]; then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
  fi
}
for f in $families; do
  for dt in f32 f64; do run "$f" "$dt" 75; done
done
for f in $sm80_families; do run "$f" f32 80; done
for p in "${pids[@]}"; do wait "$p" || status=1; done
[ "$status" = 0 ] || { echo "[kernels] kernel compilation failed" >&2; exit 1; }
nvcc --version | tail -1 > "$out/NVCC_VERSION"
