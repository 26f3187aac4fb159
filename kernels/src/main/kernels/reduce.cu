// Reduction family: sum / max(+argmax) of the middle axis of x viewed as [outer, len, inner], its max
// backward, and the partial sums of sumSquares. Argmax is the first maximum along len, as in the reference.
#include "common.h"

// inner == 1: one block per row of len contiguous elements (sum and max are separate kernels so that no
// barrier sits under a branch, which PoCL's work-group compiler does not handle).
KERNEL_BOUNDS(256, 4) void SFX(reduce_sum_rows)(const GLOBAL real* x, GLOBAL real* out, int outer, int len) {
  SHARED real sv[256];
  for (int row = GROUP_X; row < outer; row += NGROUPS_X) {
    const GLOBAL real* xr = x + (long)row * len;
    real s = 0;
    for (int l = LID_X; l < len; l += LSIZE_X) s += xr[l];
    s = block_sum(sv, s);
    if (LID_X == 0) out[row] = s;
  }
}

KERNEL_BOUNDS(256, 4) void SFX(reduce_max_rows)(const GLOBAL real* x, GLOBAL real* out, GLOBAL int* argmax, int outer, int len) {
  SHARED real sv[256];
  SHARED int si[256];
  for (int row = GROUP_X; row < outer; row += NGROUPS_X) {
    const GLOBAL real* xr = x + (long)row * len;
    real best = -REAL_INF;
    int arg = 0x7fffffff;
    for (int l = LID_X; l < len; l += LSIZE_X) {
      real v = xr[l];
      if (arg == 0x7fffffff || v > best) { best = v; arg = l; }
    }
    block_argmax(sv, si, &best, &arg);
    if (LID_X == 0) {
      out[row] = best;
      if (argmax) argmax[row] = arg;
    }
  }
}

#define R_SUM 0
#define R_MAX 1

// inner > 1: a block is 32 columns (threads along inner, coalesced) x 8 lanes along len; the 8 partials of
// each column are combined in shared memory, in lane order, so argmax ties still resolve to the first index.
KERNEL_BOUNDS(256, 4) void SFX(reduce_cols)(const GLOBAL real* x, GLOBAL real* out, GLOBAL int* argmax, int outer, int len, int inner, int op) {
  SHARED real sv[8][33];
  SHARED int si[8][33];
  int tx = LID_X & 31, ty = LID_X >> 5;
  int tilesI = (inner + COL_TILE - 1) / COL_TILE;
  for (int blk = GROUP_X; blk < outer * tilesI; blk += NGROUPS_X) {
    int o = blk / tilesI, i = (blk % tilesI) * COL_TILE + tx;
    const GLOBAL real* xo = x + (long)o * len * inner;
    real acc = op == R_SUM ? R(0) : -REAL_INF;
    int arg = 0x7fffffff;
    if (i < inner) {
      for (int l = ty; l < len; l += 8) {
        real v = xo[(long)l * inner + i];
        if (op == R_SUM) acc += v;
        else if (arg == 0x7fffffff || v > acc) { acc = v; arg = l; }
      }
    }
    sv[ty][tx] = acc;
    si[ty][tx] = arg;
    BARRIER();
    if (ty == 0 && i < inner) {
      for (int k = 1; k < 8; k++) {
        if (op == R_SUM) acc += sv[k][tx];
        else if (si[k][tx] != 0x7fffffff) combine_argmax(&acc, &arg, sv[k][tx], si[k][tx]);
      }
      out[o * inner + i] = acc;
      if (op == R_MAX && argmax) argmax[o * inner + i] = arg;
    }
    BARRIER();
  }
}

// dx [outer, len, inner] = dout[o, i] where l == argmax[o, i], else 0 (one pass, no separate zero fill).
KERNEL void SFX(max_bwd)(const GLOBAL real* dout, const GLOBAL int* argmax, GLOBAL real* dx, int outer, int len, int inner) {
  int total = outer * len * inner;
  for (int e = GID_X; e < total; e += GSTRIDE_X) {
    int i = e % inner, l = (e / inner) % len, o = e / (inner * len);
    int oi = o * inner + i;
    dx[e] = argmax[oi] == l ? dout[oi] : R(0);
  }
}

// Per-block partial sums of x^2 in acc_t (double where the device has it), written from partial[off]: several
// buffers (every gradient of a step) fill one scratch and the host reads it back once.
KERNEL_BOUNDS(256, 4) void SFX(sum_squares)(const GLOBAL real* x, GLOBAL acc_t* partial, int n, int off) {
  SHARED acc_t sh[256];
  int t = LID_X;
  acc_t s = 0;
  for (int i = GID_X; i < n; i += GSTRIDE_X) {
    acc_t v = (acc_t)x[i];
    s += v * v;
  }
  sh[t] = s;
  BARRIER();
  for (int k = LSIZE_X >> 1; k > 0; k >>= 1) {
    if (t < k) sh[t] += sh[t + k];
    BARRIER();
  }
  if (t == 0) partial[off + GROUP_X] = sh[0];
}
