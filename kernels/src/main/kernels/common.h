// Dialect header: every kernel source in this folder compiles both as CUDA C++ (nvcc -> PTX, loaded by
// CudaBackend) and as OpenCL C (clBuildProgram at run time, OpenClBackend), so the OpenCL path that CI
// runs on the CPU (PoCL) exercises the same kernel logic as the GPU. CUDA-only fast paths sit under
// #ifdef __CUDACC__, each next to its portable twin.
//
// Conventions for every kernel file:
//   - the execution model is spelled only with the names below: LID_X (thread in block), GROUP_X (block in
//     grid), LSIZE_X (threads per block), NGROUPS_X (blocks in grid). Grids are 1-D; a kernel decodes its
//     block index into tiles itself (so no grid dimension ever hits CUDA's 65535 limit on y and z).
//   - SHARED declares block-shared arrays, only at kernel scope (an OpenCL rule); LOCAL qualifies a pointer
//     to them, GLOBAL a pointer to device memory. Shared arrays read as float4 are declared ALIGN16.
//   - `real` is float, or double when compiled with -DREAL_F64; SFX(name) appends _f32 / _f64 so both
//     instantiations have distinct entry points. Literals go through R(), math through the upper-case
//     macros, so a float kernel never silently computes in double.
//   - block sizes handed to the reduction helpers are powers of two between 32 and 256.
//   - a barrier (also inside a helper) is never under a branch, even a block-uniform one: PoCL's work-group
//     compiler miscompiles that (heap corruption seen on PoCL 3/4). Loops with block-uniform trip counts are fine.
#ifndef CART_COMMON_H
#define CART_COMMON_H

#include "launch.h"

#if defined(__CUDACC__)
  #define KERNEL extern "C" __global__
  #define KERNEL_BOUNDS(threads, blocks) extern "C" __global__ __launch_bounds__(threads, blocks)
  #define GLOBAL
  #define LOCAL
  #define SHARED __shared__
  #define ALIGN16 __align__(16)
  #define DEVICE static __device__ __forceinline__
  #define RESTRICT __restrict__
  #define BARRIER() __syncthreads()
  #define LID_X ((int)threadIdx.x)
  #define LSIZE_X ((int)blockDim.x)
  #define GROUP_X ((int)blockIdx.x)
  #define NGROUPS_X ((int)gridDim.x)
  #define UNROLL _Pragma("unroll")
  typedef unsigned int u32;
  #define AS_FLOAT(u) __uint_as_float(u)
  #define AS_UINT(f) __float_as_uint(f)
  #define HAS_F64 1
  #define F32_INF __int_as_float(0x7f800000)
  #define F64_INF __longlong_as_double(0x7ff0000000000000LL)
  #define F32_NAN __int_as_float(0x7fffffff)
#else
  #define KERNEL __kernel
  #define KERNEL_BOUNDS(threads, blocks) __kernel
  #define GLOBAL __global
  #define LOCAL __local
  #define SHARED __local
  #define ALIGN16 __attribute__((aligned(16)))
  #define DEVICE static inline
  #define RESTRICT restrict
  #define BARRIER() barrier(CLK_LOCAL_MEM_FENCE)
  #define LID_X ((int)get_local_id(0))
  #define LSIZE_X ((int)get_local_size(0))
  #define GROUP_X ((int)get_group_id(0))
  #define NGROUPS_X ((int)get_num_groups(0))
  #define UNROLL _Pragma("unroll")
  typedef uint u32;
  #define AS_FLOAT(u) as_float(u)
  #define AS_UINT(f) as_uint(f)
  #if defined(cl_khr_fp64)
    #pragma OPENCL EXTENSION cl_khr_fp64 : enable
    #define HAS_F64 1
  #endif
  #define F32_INF INFINITY
  #define F64_INF ((double)INFINITY)
  #define F32_NAN NAN
#endif

// Global thread index and stride of a grid-stride loop over n items.
#define GID_X (GROUP_X * LSIZE_X + LID_X)
#define GSTRIDE_X (NGROUPS_X * LSIZE_X)

// ------------------------------------------------------------------ the element type
#if defined(REAL_F64)
  #if !defined(HAS_F64)
    #error "REAL_F64 needs a device with double precision (cl_khr_fp64)"
  #endif
  typedef double real;
  #define SFX(name) name##_f64
  #define REAL_INF F64_INF
  #define REAL_NAN ((double)F32_NAN)
#else
  typedef float real;
  #define SFX(name) name##_f32
  #define REAL_INF F32_INF
  #define REAL_NAN F32_NAN
#endif
#define R(x) ((real)(x))

// Accumulator for long sums (sumSquares): double wherever the device has it.
#if defined(HAS_F64)
  typedef double acc_t;
#else
  typedef float acc_t;
#endif

#if defined(__CUDACC__) && !defined(REAL_F64)
  #define EXP(x) expf(x)
  #define LOG(x) logf(x)
  #define SQRT(x) sqrtf(x)
  #define TANH(x) tanhf(x)
  #define POW(x, y) powf(x, y)
  #define FABS(x) fabsf(x)
  #define ERFC(x) erfcf(x)
#else
  // OpenCL's built-ins and CUDA's double functions are overloaded on the argument type.
  #define EXP(x) exp(x)
  #define LOG(x) log(x)
  #define SQRT(x) sqrt(x)
  #define TANH(x) tanh(x)
  #define POW(x, y) pow(x, y)
  #define FABS(x) fabs(x)
  #define ERFC(x) erfc(x)
#endif
// A product rounded on its own: nvcc would otherwise fuse it into a following add (an FMA keeps the exact
// product), which turns a - a*b cancellations that must give exactly 0 into rounding residue.
#if defined(__CUDACC__) && !defined(REAL_F64)
  #define MUL_RN(a, b) __fmul_rn(a, b)
#elif defined(__CUDACC__)
  #define MUL_RN(a, b) __dmul_rn(a, b)
#else
  #define MUL_RN(a, b) ((a) * (b))
#endif
// Java's Math.max/min semantics on ordinary numbers (the first operand wins ties).
#define MAXR(a, b) ((a) >= (b) ? (a) : (b))
#define MINR(a, b) ((a) <= (b) ? (a) : (b))

// ------------------------------------------------------------------ atomics
// atomic_add_real(p, v): *p += v, atomically. CUDA has it in hardware (double since sm_60); OpenCL 1.2 has
// only integer compare-and-swap, so the float add is a CAS loop on the bit pattern.
#if defined(__CUDACC__)
DEVICE void atomic_add_real(GLOBAL real* p, real v) { atomicAdd(p, v); }
#elif defined(REAL_F64)
#pragma OPENCL EXTENSION cl_khr_int64_base_atomics : enable
DEVICE void atomic_add_real(GLOBAL real* p, real v) {
  volatile GLOBAL long* ip = (volatile GLOBAL long*)p;
  long old = *ip, assumed;
  do {
    assumed = old;
    old = atom_cmpxchg(ip, assumed, as_long(as_double(assumed) + v));
  } while (old != assumed);
}
#else
DEVICE void atomic_add_real(GLOBAL real* p, real v) {
  volatile GLOBAL int* ip = (volatile GLOBAL int*)p;
  int old = *ip, assumed;
  do {
    assumed = old;
    old = atomic_cmpxchg(ip, assumed, as_int(as_float(assumed) + v));
  } while (old != assumed);
}
#endif

// ------------------------------------------------------------------ block reductions
// Every thread of the block calls these with its partial value and gets the block's result. scratch holds
// LSIZE_X entries (the CUDA versions use only 32). They end with a barrier, so scratch may be reused.
// Pair combines: (max, sum of exp(x - max)) for online softmax; (value, index) for argmax, first index on ties.

DEVICE void combine_maxsum(real* m, real* s, real m2, real s2) {
  real mm = MAXR(*m, m2);
  if (mm == -REAL_INF) return;  // both empty
  *s = (*m == -REAL_INF ? R(0) : *s * EXP(*m - mm)) + (m2 == -REAL_INF ? R(0) : s2 * EXP(m2 - mm));
  *m = mm;
}

DEVICE void combine_argmax(real* v, int* i, real v2, int i2) {
  if (v2 > *v || (v2 == *v && i2 < *i)) {
    *v = v2;
    *i = i2;
  }
}

#if defined(__CUDACC__)
// Fast path: warp shuffles, then one shared-memory exchange between warps.
DEVICE real warp_sum(real v) {
  UNROLL for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}
DEVICE real warp_max(real v) {
  UNROLL for (int o = 16; o > 0; o >>= 1) v = MAXR(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}
DEVICE real block_sum(LOCAL real* scratch, real v) {
  int t = LID_X, nw = LSIZE_X >> 5;
  v = warp_sum(v);
  if (nw > 1) {
    if ((t & 31) == 0) scratch[t >> 5] = v;
    BARRIER();
    v = (t & 31) < nw ? scratch[t & 31] : R(0);
    v = warp_sum(v);
    BARRIER();
  }
  return v;
}
DEVICE real block_max(LOCAL real* scratch, real v) {
  int t = LID_X, nw = LSIZE_X >> 5;
  v = warp_max(v);
  if (nw > 1) {
    if ((t & 31) == 0) scratch[t >> 5] = v;
    BARRIER();
    v = (t & 31) < nw ? scratch[t & 31] : -REAL_INF;
    v = warp_max(v);
    BARRIER();
  }
  return v;
}
DEVICE void block_maxsum(LOCAL real* sm, LOCAL real* ss, real* m, real* s) {
  int t = LID_X, nw = LSIZE_X >> 5;
  UNROLL for (int o = 16; o > 0; o >>= 1) {
    real m2 = __shfl_xor_sync(0xffffffffu, *m, o), s2 = __shfl_xor_sync(0xffffffffu, *s, o);
    combine_maxsum(m, s, m2, s2);
  }
  if (nw > 1) {
    if ((t & 31) == 0) { sm[t >> 5] = *m; ss[t >> 5] = *s; }
    BARRIER();
    *m = (t & 31) < nw ? sm[t & 31] : -REAL_INF;
    *s = (t & 31) < nw ? ss[t & 31] : R(0);
    UNROLL for (int o = 16; o > 0; o >>= 1) {
      real m2 = __shfl_xor_sync(0xffffffffu, *m, o), s2 = __shfl_xor_sync(0xffffffffu, *s, o);
      combine_maxsum(m, s, m2, s2);
    }
    BARRIER();
  }
}
DEVICE void block_argmax(LOCAL real* sv, LOCAL int* si, real* v, int* i) {
  int t = LID_X, nw = LSIZE_X >> 5;
  UNROLL for (int o = 16; o > 0; o >>= 1) {
    real v2 = __shfl_xor_sync(0xffffffffu, *v, o);
    int i2 = __shfl_xor_sync(0xffffffffu, *i, o);
    combine_argmax(v, i, v2, i2);
  }
  if (nw > 1) {
    if ((t & 31) == 0) { sv[t >> 5] = *v; si[t >> 5] = *i; }
    BARRIER();
    *v = (t & 31) < nw ? sv[t & 31] : -REAL_INF;
    *i = (t & 31) < nw ? si[t & 31] : 0x7fffffff;
    UNROLL for (int o = 16; o > 0; o >>= 1) {
      real v2 = __shfl_xor_sync(0xffffffffu, *v, o);
      int i2 = __shfl_xor_sync(0xffffffffu, *i, o);
      combine_argmax(v, i, v2, i2);
    }
    BARRIER();
  }
}
#else
// Portable twin: a shared-memory tree.
DEVICE real block_sum(LOCAL real* scratch, real v) {
  int t = LID_X;
  scratch[t] = v;
  BARRIER();
  for (int s = LSIZE_X >> 1; s > 0; s >>= 1) {
    if (t < s) scratch[t] += scratch[t + s];
    BARRIER();
  }
  v = scratch[0];
  BARRIER();
  return v;
}
DEVICE real block_max(LOCAL real* scratch, real v) {
  int t = LID_X;
  scratch[t] = v;
  BARRIER();
  for (int s = LSIZE_X >> 1; s > 0; s >>= 1) {
    if (t < s) scratch[t] = MAXR(scratch[t], scratch[t + s]);
    BARRIER();
  }
  v = scratch[0];
  BARRIER();
  return v;
}
DEVICE void block_maxsum(LOCAL real* sm, LOCAL real* ss, real* m, real* s) {
  int t = LID_X;
  sm[t] = *m;
  ss[t] = *s;
  BARRIER();
  for (int k = LSIZE_X >> 1; k > 0; k >>= 1) {
    if (t < k) {
      real a = sm[t], b = ss[t];
      combine_maxsum(&a, &b, sm[t + k], ss[t + k]);
      sm[t] = a;
      ss[t] = b;
    }
    BARRIER();
  }
  *m = sm[0];
  *s = ss[0];
  BARRIER();
}
DEVICE void block_argmax(LOCAL real* sv, LOCAL int* si, real* v, int* i) {
  int t = LID_X;
  sv[t] = *v;
  si[t] = *i;
  BARRIER();
  for (int k = LSIZE_X >> 1; k > 0; k >>= 1) {
    if (t < k) {
      real a = sv[t];
      int b = si[t];
      combine_argmax(&a, &b, sv[t + k], si[t + k]);
      sv[t] = a;
      si[t] = b;
    }
    BARRIER();
  }
  *v = sv[0];
  *i = si[0];
  BARRIER();
}
#endif

// Strided index spaces of rank <= 8 (copyStrided, broadcasting binary ops), passed by value. The host
// merges axes that are contiguous for every operand first, so most calls arrive here with rank 1 or 2.
typedef struct {
  int rank;
  int shape[8];
  int sa[8];
  int sb[8];
} layout8;

// Offsets ia, ib into the two strided operands of element e (row-major over L.shape). A macro over the struct
// itself, fully unrolled, so that on CUDA the axes are read from the kernel's parameter space at constant
// indices (taking the struct's address, or indexing it with a variable, would copy it to local memory).
#define LAYOUT_OFFSETS(L, e, ia, ib)                  \
  do {                                                \
    int e_ = (e), a_ = 0, b_ = 0;                     \
    UNROLL for (int d_ = 7; d_ >= 0; d_--) {          \
      if (d_ < (L).rank) {                            \
        int s_ = (L).shape[d_], i_ = e_ % s_;         \
        e_ /= s_;                                     \
        a_ += i_ * (L).sa[d_];                        \
        b_ += i_ * (L).sb[d_];                        \
      }                                               \
    }                                                 \
    (ia) = a_;                                        \
    (ib) = b_;                                        \
  } while (0)

#endif
