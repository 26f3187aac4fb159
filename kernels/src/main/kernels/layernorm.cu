// Layer norm family over the last axis of x [rows, cols]: y = (x - mean) * rstd * gamma + beta, with mean
// and rstd saved per row. Backward: dx per row (one block per row), dgamma/dbeta as column sums over rows in
// two steps (per-chunk partials, then their sum) so no atomics are needed and the result is deterministic.
// All outputs use =.
#include "common.h"

// Elements each thread keeps in registers when a row fits (cols <= LN_CACHE * threads): x is read once.
#define LN_CACHE 8

KERNEL_BOUNDS(256, 4) void SFX(layernorm_fwd)(const GLOBAL real* x, const GLOBAL real* gamma, const GLOBAL real* beta, GLOBAL real* y,
    GLOBAL real* mean, GLOBAL real* rstd, int rows, int cols, real eps) {
  SHARED real sh[256];
  int cached = cols <= LN_CACHE * LSIZE_X;  // block-uniform; the barriers stay outside the branches
  for (int r = GROUP_X; r < rows; r += NGROUPS_X) {
    const GLOBAL real* xr = x + (long)r * cols;
    GLOBAL real* yr = y + (long)r * cols;
    real v[LN_CACHE];
    real s = 0;
    if (cached) {
      UNROLL for (int c = 0; c < LN_CACHE; c++) {
        int j = LID_X + c * LSIZE_X;
        v[c] = j < cols ? xr[j] : R(0);
        s += v[c];
      }
    } else {
      for (int j = LID_X; j < cols; j += LSIZE_X) s += xr[j];
    }
    real mu = block_sum(sh, s) / (real)cols;
    // Two-pass variance (no E[x^2] - E[x]^2 cancellation).
    real q = 0;
    if (cached) {
      UNROLL for (int c = 0; c < LN_CACHE; c++) {
        real d = LID_X + c * LSIZE_X < cols ? v[c] - mu : R(0);
        q += d * d;
      }
    } else {
      for (int j = LID_X; j < cols; j += LSIZE_X) {
        real d = xr[j] - mu;
        q += d * d;
      }
    }
    real rs = R(1) / SQRT(block_sum(sh, q) / (real)cols + eps);
    if (cached) {
      UNROLL for (int c = 0; c < LN_CACHE; c++) {
        int j = LID_X + c * LSIZE_X;
        if (j < cols) yr[j] = (v[c] - mu) * rs * gamma[j] + beta[j];
      }
    } else {
      for (int j = LID_X; j < cols; j += LSIZE_X) yr[j] = (xr[j] - mu) * rs * gamma[j] + beta[j];
    }
    if (LID_X == 0) {
      mean[r] = mu;
      rstd[r] = rs;
    }
  }
}

// dx = rstd * (g - mean_j(g) - xhat * mean_j(g * xhat)), g = dy * gamma.
KERNEL_BOUNDS(256, 4) void SFX(layernorm_bwd_dx)(const GLOBAL real* x, const GLOBAL real* gamma, const GLOBAL real* mean, const GLOBAL real* rstd,
    const GLOBAL real* dy, GLOBAL real* dx, int rows, int cols) {
  SHARED real sh[256];
  for (int r = GROUP_X; r < rows; r += NGROUPS_X) {
    long o = (long)r * cols;
    real mu = mean[r], rs = rstd[r];
    real sg = 0, sgx = 0;
    for (int j = LID_X; j < cols; j += LSIZE_X) {
      real g = MUL_RN(dy[o + j], gamma[j]);
      sg += g;
      sgx += g * (x[o + j] - mu) * rs;
    }
    sg = block_sum(sh, sg) / (real)cols;
    sgx = block_sum(sh, sgx) / (real)cols;
    for (int j = LID_X; j < cols; j += LSIZE_X) {
      real xhat = (x[o + j] - mu) * rs;
      // g rounded in its own statement (no FMA with the subtraction) and g - mean(g) first: exactly 0
      // where all g are equal (cols = 1), as in exact arithmetic
      real g = MUL_RN(dy[o + j], gamma[j]);
      dx[o + j] = rs * ((g - sg) - xhat * sgx);
    }
  }
}

// Step 1: part[chunk][0][c] = sum over the chunk's rows of dy * xhat, part[chunk][1][c] = sum of dy.
// Block = 32 columns x 8 row lanes; one block per (column tile, chunk of rowsPerChunk rows).
KERNEL_BOUNDS(256, 4) void SFX(layernorm_bwd_params_partial)(const GLOBAL real* x, const GLOBAL real* mean, const GLOBAL real* rstd, const GLOBAL real* dy,
    GLOBAL real* part, int rows, int cols, int rowsPerChunk) {
  SHARED real sg[8][33];
  SHARED real sb[8][33];
  int tx = LID_X & 31, ty = LID_X >> 5;
  int tilesC = (cols + COL_TILE - 1) / COL_TILE, chunks = (rows + rowsPerChunk - 1) / rowsPerChunk;
  for (int blk = GROUP_X; blk < tilesC * chunks; blk += NGROUPS_X) {
    int chunk = blk / tilesC, c = (blk % tilesC) * COL_TILE + tx;
    int r0 = chunk * rowsPerChunk, r1 = min(rows, r0 + rowsPerChunk);
    real ag = 0, ab = 0;
    if (c < cols) {
      for (int r = r0 + ty; r < r1; r += 8) {
        real d = dy[(long)r * cols + c];
        ag += d * (x[(long)r * cols + c] - mean[r]) * rstd[r];
        ab += d;
      }
    }
    sg[ty][tx] = ag;
    sb[ty][tx] = ab;
    BARRIER();
    if (ty == 0 && c < cols) {
      for (int k = 1; k < 8; k++) {
        ag += sg[k][tx];
        ab += sb[k][tx];
      }
      part[((long)chunk * 2) * cols + c] = ag;
      part[((long)chunk * 2 + 1) * cols + c] = ab;
    }
    BARRIER();
  }
}

// Step 2: dgamma[c] = sum_chunk part[chunk][0][c], dbeta[c] = sum_chunk part[chunk][1][c].
KERNEL void SFX(layernorm_bwd_params_finish)(const GLOBAL real* part, GLOBAL real* dgamma, GLOBAL real* dbeta, int chunks, int cols) {
  for (int c = GID_X; c < cols; c += GSTRIDE_X) {
    real ag = 0, ab = 0;
    for (int k = 0; k < chunks; k++) {
      ag += part[((long)k * 2) * cols + c];
      ab += part[((long)k * 2 + 1) * cols + c];
    }
    dgamma[c] = ag;
    dbeta[c] = ab;
  }
}
