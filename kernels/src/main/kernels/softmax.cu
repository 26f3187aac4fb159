// Row-softmax family: softmax / log-softmax forward and backward, cross-entropy fused with its softmax
// (label smoothing, ignored rows), KL divergence from log-probabilities. One block per row (grid-stride over
// rows); each thread walks the row with an online (max, sum of exp) pair. Softmax keeps a row of up to
// ROW_CACHE * threads elements in registers, so it reads x once from memory (the bandwidth-bound case).
#include "common.h"

// Elements each thread keeps in registers when a row fits (cols <= ROW_CACHE * threads).
#define ROW_CACHE 8

// Adds v to a thread's online (max m, sum s of exp(x - m)) pair.
DEVICE void online_add(real* m, real* s, real v) {
  if (v == -REAL_INF) return;
  if (v > *m) {
    *s = (*m == -REAL_INF ? R(0) : *s * EXP(*m - v)) + R(1);
    *m = v;
  } else {
    *s += EXP(v - *m);
  }
}

// Row max m and logS = log sum_j exp(x_j - m), for the whole block. Log-probabilities are formed as
// (x - m) - logS: x - m is exact for nearby values, so logits around 1e4 lose nothing, whereas
// x - (m + logS) would carry the rounding of m + logS at 1e4 (half a unit there is 5e-4).
DEVICE void row_max_logsum(const GLOBAL real* xr, int cols, LOCAL real* sm, LOCAL real* ss, real* mOut, real* logS) {
  real m = -REAL_INF, s = 0;
  for (int j = LID_X; j < cols; j += LSIZE_X) online_add(&m, &s, xr[j]);
  block_maxsum(sm, ss, &m, &s);
  *mOut = m;
  *logS = LOG(s);
}

KERNEL_BOUNDS(256, 4) void SFX(softmax_fwd)(const GLOBAL real* x, GLOBAL real* y, int rows, int cols, int logOut) {
  SHARED real sm[256];
  SHARED real ss[256];
  int cached = cols <= ROW_CACHE * LSIZE_X;  // block-uniform; the barriers stay outside the branches
  for (int r = GROUP_X; r < rows; r += NGROUPS_X) {
    const GLOBAL real* xr = x + (long)r * cols;
    GLOBAL real* yr = y + (long)r * cols;
    real v[ROW_CACHE];
    real m = -REAL_INF, s = 0;
    if (cached) {
      UNROLL for (int c = 0; c < ROW_CACHE; c++) {
        int j = LID_X + c * LSIZE_X;
        v[c] = j < cols ? xr[j] : -REAL_INF;
        online_add(&m, &s, v[c]);
      }
    } else {
      for (int j = LID_X; j < cols; j += LSIZE_X) online_add(&m, &s, xr[j]);
    }
    block_maxsum(sm, ss, &m, &s);
    real logS = LOG(s);
    if (cached) {
      UNROLL for (int c = 0; c < ROW_CACHE; c++) {
        int j = LID_X + c * LSIZE_X;
        real z = (v[c] - m) - logS;
        if (j < cols) yr[j] = logOut ? z : EXP(z);
      }
    } else {
      for (int j = LID_X; j < cols; j += LSIZE_X) {
        real z = (xr[j] - m) - logS;
        yr[j] = logOut ? z : EXP(z);
      }
    }
  }
}

// softmax: dx = y * (dy - sum(dy * y)); log-softmax: dx = dy - exp(y) * sum(dy). Rows that fit stay in registers.
KERNEL_BOUNDS(256, 4) void SFX(softmax_bwd)(const GLOBAL real* y, const GLOBAL real* dy, GLOBAL real* dx, int rows, int cols, int logOut) {
  SHARED real sh[256];
  int cached = cols <= ROW_CACHE * LSIZE_X;
  for (int r = GROUP_X; r < rows; r += NGROUPS_X) {
    long o = (long)r * cols;
    real yv[ROW_CACHE], gv[ROW_CACHE];
    real s = 0;
    if (cached) {
      UNROLL for (int c = 0; c < ROW_CACHE; c++) {
        int j = LID_X + c * LSIZE_X;
        yv[c] = j < cols ? y[o + j] : R(0);
        gv[c] = j < cols ? dy[o + j] : R(0);
        s += logOut ? gv[c] : gv[c] * yv[c];
      }
    } else {
      for (int j = LID_X; j < cols; j += LSIZE_X) s += logOut ? dy[o + j] : dy[o + j] * y[o + j];
    }
    s = block_sum(sh, s);
    if (cached) {
      UNROLL for (int c = 0; c < ROW_CACHE; c++) {
        int j = LID_X + c * LSIZE_X;
        if (j < cols) dx[o + j] = logOut ? gv[c] - EXP(yv[c]) * s : yv[c] * (gv[c] - s);
      }
    } else {
      for (int j = LID_X; j < cols; j += LSIZE_X) dx[o + j] = logOut ? dy[o + j] - EXP(y[o + j]) * s : y[o + j] * (dy[o + j] - s);
    }
  }
}

// loss[r] = -(1-eps) * logp[t] - eps/cols * sum_j logp[j], with logp[j] = (x[j] - m) - logS, so
// sum_j logp[j] = sum_j (x[j] - m) - cols * logS. Ignored rows get 0; a target outside [0, cols) gets NaN
// (the reference throws; a kernel cannot). Barriers stay outside conditionals, ignored rows included:
// PoCL's work-group compiler needs that.
KERNEL_BOUNDS(256, 4) void SFX(cross_entropy_fwd)(const GLOBAL real* logits, const GLOBAL int* targets, GLOBAL real* loss, int rows, int cols, int ignoreIndex, real smoothing) {
  SHARED real sm[256];
  SHARED real ss[256];
  for (int r = GROUP_X; r < rows; r += NGROUPS_X) {
    int t = targets[r];
    const GLOBAL real* xr = logits + (long)r * cols;
    real m, logS;
    row_max_logsum(xr, cols, sm, ss, &m, &logS);
    real sx = 0;
    if (smoothing != 0)
      for (int j = LID_X; j < cols; j += LSIZE_X) sx += xr[j] - m;
    sx = block_sum(sm, sx);
    if (LID_X == 0) {
      if (t == ignoreIndex) loss[r] = 0;
      else if (t < 0 || t >= cols) loss[r] = REAL_NAN;
      else loss[r] = -(R(1) - smoothing) * ((xr[t] - m) - logS) - smoothing / (real)cols * (sx - (real)cols * logS);
    }
  }
}

// dlogits = dloss[r] * (softmax(x) - q), q = eps/cols + (1-eps) * onehot(t); 0 for ignored rows.
KERNEL_BOUNDS(256, 4) void SFX(cross_entropy_bwd)(const GLOBAL real* logits, const GLOBAL int* targets, const GLOBAL real* dloss, GLOBAL real* dlogits, int rows, int cols, int ignoreIndex, real smoothing) {
  SHARED real sm[256];
  SHARED real ss[256];
  for (int r = GROUP_X; r < rows; r += NGROUPS_X) {
    int t = targets[r];
    long o = (long)r * cols;
    real m, logS;
    row_max_logsum(logits + o, cols, sm, ss, &m, &logS);
    real g = t == ignoreIndex ? R(0) : dloss[r], base = smoothing / (real)cols;
    for (int j = LID_X; j < cols; j += LSIZE_X) {
      real q = base + (j == t ? R(1) - smoothing : R(0));
      dlogits[o + j] = t == ignoreIndex ? R(0) : g * (EXP((logits[o + j] - m) - logS) - q);
    }
  }
}

// out[r] = sum_j exp(lp) * (lp - lq).
KERNEL_BOUNDS(256, 4) void SFX(kl_div_fwd)(const GLOBAL real* lp, const GLOBAL real* lq, GLOBAL real* out, int rows, int cols) {
  SHARED real sh[256];
  for (int r = GROUP_X; r < rows; r += NGROUPS_X) {
    long o = (long)r * cols;
    real s = 0;
    for (int j = LID_X; j < cols; j += LSIZE_X) {
      real p = lp[o + j];
      s += EXP(p) * (p - lq[o + j]);
    }
    s = block_sum(sh, s);
    if (LID_X == 0) out[r] = s;
  }
}

// dlogP = dout * p * (lp - lq + 1), dlogQ = -dout * p; elementwise, either output may be null.
KERNEL void SFX(kl_div_bwd)(const GLOBAL real* lp, const GLOBAL real* lq, const GLOBAL real* dout, GLOBAL real* dlp, GLOBAL real* dlq, int rows, int cols) {
  int total = rows * cols;
  for (int e = GID_X; e < total; e += GSTRIDE_X) {
    real g = dout[e / cols], l = lp[e], p = EXP(l);
    if (dlp) dlp[e] = g * p * (l - lq[e] + R(1));
    if (dlq) dlq[e] = -g * p;
  }
}
