// GEMM family: batched C_p = alpha * op(A_p) op(B_p) + beta * C_p (row-major, op = identity or transpose read
// in place, operand p at xOff + p * strideX, leading dimensions lda/ldb/ldc). beta == 0 never reads C.
// Three kernels, one argument list:
//   gemm_tiled      portable 64x64x16 shared-memory tile, 4x4 outputs per thread; f32 and f64, any shape.
//   gemm_rb128_f32  register-blocked 128x128x8, 8x8 outputs per thread, double-buffered shared memory,
//                   float4 loads where aligned. Portable too, so PoCL tests exactly the code the GPU runs.
//   gemm_tf32_f32   tensor cores: mma.sync m16n8k8 TF32 (sm_80+), 128x128x16 block tile, 64x32 per warp.
//                   Opt-in (TF32 rounds inputs to 10 mantissa bits). On OpenCL the mma is emulated lane
//                   by lane through shared memory with the PTX fragment layout, so tests check the layout.
// Blocks walk tiles in groups of GEMM_GROUP_M tile rows (as Triton does) so neighbouring blocks share A and B
// tiles in L2.
#include "common.h"

#define GEMM_GROUP_M 8

// Tile (bm, bn, p) of block id blk: p-major, then groups of GEMM_GROUP_M tile rows, rows fastest in a group.
DEVICE void gemm_tile(int blk, int tilesM, int tilesN, int* p, int* bm, int* bn) {
  int per = tilesM * tilesN;
  *p = blk / per;
  int id = blk % per;
  int groupSize = GEMM_GROUP_M * tilesN;
  int firstM = (id / groupSize) * GEMM_GROUP_M;
  int gm = min(tilesM - firstM, GEMM_GROUP_M);
  *bm = firstM + (id % groupSize) % gm;
  *bn = (id % groupSize) / gm;
}

// ------------------------------------------------------------------ portable tiled kernel
#define GT_K 16

KERNEL_BOUNDS(256, 4) void SFX(gemm_tiled)(const GLOBAL real* RESTRICT A, int aOff, int strideA, int lda, int transA,
    const GLOBAL real* RESTRICT B, int bOff, int strideB, int ldb, int transB, GLOBAL real* RESTRICT C, int cOff, int strideC, int ldc,
    int M, int N, int K, real alpha, real beta, int batch) {
  SHARED real As[GT_K][GT_T + 1];
  SHARED real Bs[GT_K][GT_T + 1];
  int t = LID_X, tx = t % 16, ty = t / 16;
  int tilesM = (M + GT_T - 1) / GT_T, tilesN = (N + GT_T - 1) / GT_T;
  for (int blk = GROUP_X; blk < batch * tilesM * tilesN; blk += NGROUPS_X) {
    int p, bm, bn;
    gemm_tile(blk, tilesM, tilesN, &p, &bm, &bn);
    const GLOBAL real* Ab = A + aOff + (long)p * strideA;
    const GLOBAL real* Bb = B + bOff + (long)p * strideB;
    GLOBAL real* Cb = C + cOff + (long)p * strideC;
    int m0 = bm * GT_T, n0 = bn * GT_T;
    real acc[4][4];
    UNROLL for (int r = 0; r < 4; r++) UNROLL for (int c = 0; c < 4; c++) acc[r][c] = 0;
    for (int k0 = 0; k0 < K; k0 += GT_K) {
      BARRIER();
      for (int e = t; e < GT_T * GT_K; e += 256) {
        // index order chosen so that consecutive threads read consecutive addresses
        int i = transA ? e % GT_T : e / GT_K, q = transA ? e / GT_T : e % GT_K;
        int gi = m0 + i, gq = k0 + q;
        As[q][i] = (gi < M && gq < K) ? (transA ? Ab[(long)gq * lda + gi] : Ab[(long)gi * lda + gq]) : R(0);
        int j = transB ? e / GT_K : e % GT_T;
        q = transB ? e % GT_K : e / GT_T;
        int gj = n0 + j;
        gq = k0 + q;
        Bs[q][j] = (gj < N && gq < K) ? (transB ? Bb[(long)gj * ldb + gq] : Bb[(long)gq * ldb + gj]) : R(0);
      }
      BARRIER();
      UNROLL for (int q = 0; q < GT_K; q++) {
        real a[4], b[4];
        UNROLL for (int r = 0; r < 4; r++) {
          a[r] = As[q][ty + 16 * r];
          b[r] = Bs[q][tx + 16 * r];
        }
        UNROLL for (int r = 0; r < 4; r++) UNROLL for (int c = 0; c < 4; c++) acc[r][c] += a[r] * b[c];
      }
    }
    UNROLL for (int r = 0; r < 4; r++) {
      int i = m0 + ty + 16 * r;
      if (i >= M) continue;
      UNROLL for (int c = 0; c < 4; c++) {
        int j = n0 + tx + 16 * c;
        if (j >= N) continue;
        GLOBAL real* cp = Cb + (long)i * ldc + j;
        *cp = beta == 0 ? alpha * acc[r][c] : alpha * acc[r][c] + beta * *cp;
      }
    }
  }
}

#if !defined(REAL_F64)
// ------------------------------------------------------------------ shared pieces of the 128x128 kernels
#if defined(__CUDACC__)
  #define LD4(p) (*(const float4*)(p))
  #define ST4(p, v) (*(float4*)(p) = (v))
#else
  #define LD4(p) vload4(0, p)
  #define ST4(p, v) vstore4(v, 0, p)
#endif

// vec flags (host-checked alignment of every float4 access): 1 = A, 2 = B, 4 = C.
#define VEC_A 1
#define VEC_B 2
#define VEC_C 4

// This thread's 4 elements of a 128 (rows) x 8 (k) tile of operand X starting at (r0, k0), zero outside
// [rows, K]. X(row, q) = X[row * ld + q] when kContig (A, or B^T), else X[q * ld + row].
DEVICE void tile_load(const GLOBAL float* X, int ld, int kContig, int rows, int K, int r0, int k0, int t, int vec, float* r) {
  if (kContig) {
    int i = r0 + (t >> 1), q = k0 + (t & 1) * 4;
    if (vec) {
      if (i < rows && q < K) {
        float4 v = LD4(X + (long)i * ld + q);
        r[0] = v.x; r[1] = v.y; r[2] = v.z; r[3] = v.w;
      } else {
        r[0] = r[1] = r[2] = r[3] = 0;
      }
    } else {
      UNROLL for (int c = 0; c < 4; c++) r[c] = (i < rows && q + c < K) ? X[(long)i * ld + q + c] : 0.0f;
    }
  } else {
    int q = k0 + (t >> 5), i = r0 + (t & 31) * 4;
    if (vec) {
      if (q < K && i < rows) {
        float4 v = LD4(X + (long)q * ld + i);
        r[0] = v.x; r[1] = v.y; r[2] = v.z; r[3] = v.w;
      } else {
        r[0] = r[1] = r[2] = r[3] = 0;
      }
    } else {
      UNROLL for (int c = 0; c < 4; c++) r[c] = (q < K && i + c < rows) ? X[(long)q * ld + i + c] : 0.0f;
    }
  }
}

// Stores them k-major: s[q * lds + row] (kContig elements go to 4 k rows, the others to 4 adjacent columns).
DEVICE void tile_store(LOCAL float* s, int lds, int kContig, int t, const float* r) {
  if (kContig) {
    int i = t >> 1, q = (t & 1) * 4;
    UNROLL for (int c = 0; c < 4; c++) s[(q + c) * lds + i] = r[c];
  } else {
    int q = t >> 5, i = (t & 31) * 4;
    UNROLL for (int c = 0; c < 4; c++) s[q * lds + i + c] = r[c];
  }
}

// C[i][j..j+3] = alpha * a[0..3] + beta * C (beta == 0: C not read); columns past N are skipped.
DEVICE void store4(GLOBAL float* Cb, int ldc, int M, int N, int i, int j, const float* a, float alpha, float beta, int vec) {
  if (i >= M) return;
  GLOBAL float* cp = Cb + (long)i * ldc + j;
  if (vec && j + 3 < N) {
    float4 v;
    if (beta != 0) {
      v = LD4(cp);
      v.x = alpha * a[0] + beta * v.x;
      v.y = alpha * a[1] + beta * v.y;
      v.z = alpha * a[2] + beta * v.z;
      v.w = alpha * a[3] + beta * v.w;
    } else {
      v.x = alpha * a[0];
      v.y = alpha * a[1];
      v.z = alpha * a[2];
      v.w = alpha * a[3];
    }
    ST4(cp, v);
  } else {
    UNROLL for (int c = 0; c < 4; c++)
      if (j + c < N) cp[c] = beta == 0 ? alpha * a[c] : alpha * a[c] + beta * cp[c];
  }
}

// ------------------------------------------------------------------ register-blocked SIMT kernel
#define RB_BK 8
#define RB_LDS (128 + 4)   // +4: the transposed stores of kContig operands hit distinct banks; rows stay 16-byte aligned

// Thread layout: 8 warps as 4 (rows) x 2 (cols), each warp 32 x 64, its lanes 4 x 8, each lane 8 x 8 split in
// 4 x 4 quadrants 16 rows / 32 columns apart, so a warp's float4 shared loads touch 4 (A) and 8 (B)
// distinct addresses: conflict-free, mostly broadcast.
KERNEL_BOUNDS(256, 2) void gemm_rb128_f32(const GLOBAL float* RESTRICT A, int aOff, int strideA, int lda, int transA,
    const GLOBAL float* RESTRICT B, int bOff, int strideB, int ldb, int transB, GLOBAL float* RESTRICT C, int cOff, int strideC, int ldc,
    int M, int N, int K, float alpha, float beta, int batch, int vec) {
  SHARED ALIGN16 float As[2 * RB_BK * RB_LDS];
  SHARED ALIGN16 float Bs[2 * RB_BK * RB_LDS];
  int t = LID_X, warp = t >> 5, lane = t & 31;
  int row0 = (warp >> 1) * 32 + (lane >> 3) * 4;
  int col0 = (warp & 1) * 64 + (lane & 7) * 4;
  int tilesM = (M + RB_T - 1) / RB_T, tilesN = (N + RB_T - 1) / RB_T;
  int nk = (K + RB_BK - 1) / RB_BK;
  for (int blk = GROUP_X; blk < batch * tilesM * tilesN; blk += NGROUPS_X) {
    int p, bm, bn;
    gemm_tile(blk, tilesM, tilesN, &p, &bm, &bn);
    const GLOBAL float* Ab = A + aOff + (long)p * strideA;
    const GLOBAL float* Bb = B + bOff + (long)p * strideB;
    GLOBAL float* Cb = C + cOff + (long)p * strideC;
    int m0 = bm * RB_T, n0 = bn * RB_T;
    float acc[8][8];
    UNROLL for (int i = 0; i < 8; i++) UNROLL for (int j = 0; j < 8; j++) acc[i][j] = 0;
    float ra[4], rb[4];
    BARRIER();
    if (nk > 0) {
      tile_load(Ab, lda, !transA, M, K, m0, 0, t, vec & VEC_A, ra);
      tile_load(Bb, ldb, transB, N, K, n0, 0, t, vec & VEC_B, rb);
      tile_store(As, RB_LDS, !transA, t, ra);
      tile_store(Bs, RB_LDS, transB, t, rb);
    }
    BARRIER();
    for (int kt = 0; kt < nk; kt++) {
      int cur = kt & 1;
      // the next tile's global loads are in flight while this one is multiplied
      if (kt + 1 < nk) {
        tile_load(Ab, lda, !transA, M, K, m0, (kt + 1) * RB_BK, t, vec & VEC_A, ra);
        tile_load(Bb, ldb, transB, N, K, n0, (kt + 1) * RB_BK, t, vec & VEC_B, rb);
      }
      LOCAL float* as = As + cur * RB_BK * RB_LDS;
      LOCAL float* bs = Bs + cur * RB_BK * RB_LDS;
      UNROLL for (int k = 0; k < RB_BK; k++) {
        float a[8], b[8];
        float4 v;
        v = LD4(as + k * RB_LDS + row0);      a[0] = v.x; a[1] = v.y; a[2] = v.z; a[3] = v.w;
        v = LD4(as + k * RB_LDS + row0 + 16); a[4] = v.x; a[5] = v.y; a[6] = v.z; a[7] = v.w;
        v = LD4(bs + k * RB_LDS + col0);      b[0] = v.x; b[1] = v.y; b[2] = v.z; b[3] = v.w;
        v = LD4(bs + k * RB_LDS + col0 + 32); b[4] = v.x; b[5] = v.y; b[6] = v.z; b[7] = v.w;
        UNROLL for (int i = 0; i < 8; i++) UNROLL for (int j = 0; j < 8; j++) acc[i][j] += a[i] * b[j];
      }
      if (kt + 1 < nk) {
        // the other buffer was last read before the previous barrier
        tile_store(As + (cur ^ 1) * RB_BK * RB_LDS, RB_LDS, !transA, t, ra);
        tile_store(Bs + (cur ^ 1) * RB_BK * RB_LDS, RB_LDS, transB, t, rb);
      }
      BARRIER();
    }
    UNROLL for (int i = 0; i < 8; i++) {
      int gi = m0 + row0 + (i < 4 ? i : 12 + i);   // rows row0..row0+3, row0+16..row0+19
      store4(Cb, ldc, M, N, gi, n0 + col0, acc[i], alpha, beta, vec & VEC_C);
      store4(Cb, ldc, M, N, gi, n0 + col0 + 32, acc[i] + 4, alpha, beta, vec & VEC_C);
    }
  }
}

// ------------------------------------------------------------------ TF32 tensor-core kernel
#if !defined(__CUDACC__) || (defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800)
#define TC_BK 16
#define TC_LDS (128 + 8)   // +8: fragment loads (rows g = lane/4, k = lane%4) hit 32 distinct banks

// Fragments are converted to TF32 once, when loaded from shared memory (FRAG), not once per mma.
#if defined(__CUDACC__)
typedef u32 frag_t;
DEVICE u32 to_tf32(float x) {
  u32 r;
  asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(r) : "f"(x));
  return r;
}
#define FRAG(x) to_tf32(x)
// c[0..3] += A (16x8, fragment a[0..3]) * B (8x8, fragment b[0..1]), PTX ISA "Matrix Fragments for mma.m16n8k8".
DEVICE void mma_tf32(float* c, const u32* a, const u32* b) {
  asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
      : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}
#define MMA(c, a, b) mma_tf32(c, a, b)
#else
typedef float frag_t;
// cvt.rna.tf32.f32: keep 10 mantissa bits, round to nearest, ties away from zero.
DEVICE float tf32_round(float x) {
  u32 u = AS_UINT(x);
  if ((u & 0x7f800000u) != 0x7f800000u) u = (u + 0x1000u) & 0xffffe000u;
  return AS_FLOAT(u);
}
#define FRAG(x) tf32_round(x)
// Emulates one warp's mma.m16n8k8 from the documented fragment layout (groupID g = lane / 4, t4 = lane % 4):
// a0 = A[g][t4], a1 = A[g+8][t4], a2 = A[g][t4+4], a3 = A[g+8][t4+4]; b0 = B[t4][g], b1 = B[t4+4][g];
// c0 = C[g][2 t4], c1 = C[g][2 t4 + 1], c2 = C[g+8][2 t4], c3 = C[g+8][2 t4 + 1]. Each lane scatters its
// fragments into a per-warp scratch, then computes its accumulators from the whole tiles, so a fragment
// loaded from the wrong place gives a wrong product here too. Called by every thread of the block at once
// (it has barriers).
DEVICE void mma_emulated(LOCAL float* emu, float* c, const float* a, const float* b) {
  int lane = LID_X & 31, g = lane >> 2, t4 = lane & 3;
  LOCAL float* at = emu + (LID_X >> 5) * 192;   // A 16 x 8 row-major
  LOCAL float* bt = at + 128;                   // B 8 x 8 row-major (k, n)
  at[g * 8 + t4] = a[0];
  at[(g + 8) * 8 + t4] = a[1];
  at[g * 8 + t4 + 4] = a[2];
  at[(g + 8) * 8 + t4 + 4] = a[3];
  bt[t4 * 8 + g] = b[0];
  bt[(t4 + 4) * 8 + g] = b[1];
  BARRIER();
  for (int k = 0; k < 8; k++) {
    c[0] += at[g * 8 + k] * bt[k * 8 + 2 * t4];
    c[1] += at[g * 8 + k] * bt[k * 8 + 2 * t4 + 1];
    c[2] += at[(g + 8) * 8 + k] * bt[k * 8 + 2 * t4];
    c[3] += at[(g + 8) * 8 + k] * bt[k * 8 + 2 * t4 + 1];
  }
  BARRIER();
}
#define MMA(c, a, b) mma_emulated(emu, c, a, b)
#endif

// 8 warps as 2 (rows) x 4 (cols); warp tile 64 x 32 = 4 x 4 mma tiles of 16 x 8; 64 accumulators per lane.
KERNEL_BOUNDS(256, 2) void gemm_tf32_f32(const GLOBAL float* RESTRICT A, int aOff, int strideA, int lda, int transA,
    const GLOBAL float* RESTRICT B, int bOff, int strideB, int ldb, int transB, GLOBAL float* RESTRICT C, int cOff, int strideC, int ldc,
    int M, int N, int K, float alpha, float beta, int batch, int vec) {
  SHARED ALIGN16 float As[2 * TC_BK * TC_LDS];
  SHARED ALIGN16 float Bs[2 * TC_BK * TC_LDS];
#if !defined(__CUDACC__)
  SHARED float emu[8 * 192];
#endif
  int t = LID_X, warp = t >> 5, lane = t & 31, g = lane >> 2, t4 = lane & 3;
  int wm = (warp >> 2) * 64, wn = (warp & 3) * 32;
  int tilesM = (M + RB_T - 1) / RB_T, tilesN = (N + RB_T - 1) / RB_T;
  int nk = (K + TC_BK - 1) / TC_BK;
  for (int blk = GROUP_X; blk < batch * tilesM * tilesN; blk += NGROUPS_X) {
    int p, bm, bn;
    gemm_tile(blk, tilesM, tilesN, &p, &bm, &bn);
    const GLOBAL float* Ab = A + aOff + (long)p * strideA;
    const GLOBAL float* Bb = B + bOff + (long)p * strideB;
    GLOBAL float* Cb = C + cOff + (long)p * strideC;
    int m0 = bm * RB_T, n0 = bn * RB_T;
    float acc[4][4][4];
    UNROLL for (int i = 0; i < 4; i++) UNROLL for (int j = 0; j < 4; j++) UNROLL for (int c = 0; c < 4; c++) acc[i][j][c] = 0;
    float ra[8], rb[8];
    BARRIER();
    if (nk > 0) {
      // a 128 x 16 tile is two 128 x 8 halves
      tile_load(Ab, lda, !transA, M, K, m0, 0, t, vec & VEC_A, ra);
      tile_load(Ab, lda, !transA, M, K, m0, 8, t, vec & VEC_A, ra + 4);
      tile_load(Bb, ldb, transB, N, K, n0, 0, t, vec & VEC_B, rb);
      tile_load(Bb, ldb, transB, N, K, n0, 8, t, vec & VEC_B, rb + 4);
      tile_store(As, TC_LDS, !transA, t, ra);
      tile_store(As + 8 * TC_LDS, TC_LDS, !transA, t, ra + 4);
      tile_store(Bs, TC_LDS, transB, t, rb);
      tile_store(Bs + 8 * TC_LDS, TC_LDS, transB, t, rb + 4);
    }
    BARRIER();
    for (int kt = 0; kt < nk; kt++) {
      int cur = kt & 1;
      if (kt + 1 < nk) {
        int k1 = (kt + 1) * TC_BK;
        tile_load(Ab, lda, !transA, M, K, m0, k1, t, vec & VEC_A, ra);
        tile_load(Ab, lda, !transA, M, K, m0, k1 + 8, t, vec & VEC_A, ra + 4);
        tile_load(Bb, ldb, transB, N, K, n0, k1, t, vec & VEC_B, rb);
        tile_load(Bb, ldb, transB, N, K, n0, k1 + 8, t, vec & VEC_B, rb + 4);
      }
      LOCAL float* as = As + cur * TC_BK * TC_LDS;
      LOCAL float* bs = Bs + cur * TC_BK * TC_LDS;
      UNROLL for (int ks = 0; ks < TC_BK; ks += 8) {
        frag_t af[4][4], bf[4][2];
        UNROLL for (int mt = 0; mt < 4; mt++) {
          int r = wm + mt * 16 + g;
          af[mt][0] = FRAG(as[(ks + t4) * TC_LDS + r]);
          af[mt][1] = FRAG(as[(ks + t4) * TC_LDS + r + 8]);
          af[mt][2] = FRAG(as[(ks + t4 + 4) * TC_LDS + r]);
          af[mt][3] = FRAG(as[(ks + t4 + 4) * TC_LDS + r + 8]);
        }
        UNROLL for (int nt = 0; nt < 4; nt++) {
          int c = wn + nt * 8 + g;
          bf[nt][0] = FRAG(bs[(ks + t4) * TC_LDS + c]);
          bf[nt][1] = FRAG(bs[(ks + t4 + 4) * TC_LDS + c]);
        }
        UNROLL for (int mt = 0; mt < 4; mt++) UNROLL for (int nt = 0; nt < 4; nt++) MMA(acc[mt][nt], af[mt], bf[nt]);
      }
      if (kt + 1 < nk) {
        LOCAL float* an = As + (cur ^ 1) * TC_BK * TC_LDS;
        LOCAL float* bn2 = Bs + (cur ^ 1) * TC_BK * TC_LDS;
        tile_store(an, TC_LDS, !transA, t, ra);
        tile_store(an + 8 * TC_LDS, TC_LDS, !transA, t, ra + 4);
        tile_store(bn2, TC_LDS, transB, t, rb);
        tile_store(bn2 + 8 * TC_LDS, TC_LDS, transB, t, rb + 4);
      }
      BARRIER();
    }
    UNROLL for (int mt = 0; mt < 4; mt++) {
      UNROLL for (int nt = 0; nt < 4; nt++) {
        int i = m0 + wm + mt * 16 + g, j = n0 + wn + nt * 8 + 2 * t4;
        UNROLL for (int h = 0; h < 2; h++) {
          int gi = i + 8 * h;
          if (gi >= M) continue;
          GLOBAL float* cp = Cb + (long)gi * ldc + j;
          UNROLL for (int c = 0; c < 2; c++) {
            if (j + c >= N) continue;
            float v = alpha * acc[mt][nt][2 * h + c];
            cp[c] = beta == 0 ? v : v + beta * cp[c];
          }
        }
      }
    }
  }
}
#endif  // tf32
#endif  // !REAL_F64
