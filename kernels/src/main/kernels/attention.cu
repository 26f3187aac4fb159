// Fused scaled dot-product attention, forward and backward (flash-attention style: the Tq x Tk score matrix
// lives only in shared memory, one tile at a time; the backward recomputes it from the saved log-sum-exp).
// Shapes: q [B, H, Tq, D], k and v [B, H, Tk, D], out [B, H, Tq, D], lse [B, H, Tq]. pad is null or I32
// [B, Tk] (0 = padded key); causal allows key j for query i iff j <= i + Tk - Tq. A query with no allowed
// key gets out = 0 and lse = -inf, and contributes no gradient. Outputs use =.
//
// Tiling, sized for CART (Tq, Tk 4..32, D <= 64): a block owns AT_BQ queries (forward, dq) or AT_BK keys
// (dk, dv) of one (b, h) and one AT_DC-wide chunk of the head dimension; longer sequences loop over tiles
// with an online softmax, wider heads add blocks along D (each recomputes the full-D scores, rare).
#include "common.h"

#if defined(REAL_F64)
  #define AT_BQ AT_BQ_F64
#else
  #define AT_BQ AT_BQ_F32
#endif
#define AT_BK AT_BQ
#define AT_NT BLOCK_THREADS                   // threads per block
#define AT_LD (AT_DC + 1)                     // padded row: lanes reading different rows hit different banks
#define AT_PL (AT_BK + 1)
#define AT_SPT (AT_BQ * AT_BK / AT_NT)        // score cells per thread: rows si + r * AT_SROWS, column sj
#define AT_SROWS (AT_NT / AT_BK)
#define AT_OPT (AT_BQ * AT_DC / AT_NT)        // output cells per thread: rows oi + r * AT_OROWS, column oc
#define AT_OROWS (AT_NT / AT_DC)
#define AT_KPT (AT_BK * AT_DC / AT_NT)        // dk/dv cells per thread (same mapping over key rows)

DEVICE int at_allowed(const GLOBAL int* pad, int b, int tq, int tk, int i, int j, int causal) {
  if (i >= tq || j >= tk) return 0;
  if (pad && pad[b * tk + j] == 0) return 0;
  return !causal || j <= i + tk - tq;
}

// tile[i][c] = src[r0 + i][c0 + c] for i < rows, c < AT_DC; zero outside the [nr, d] matrix.
DEVICE void at_load(LOCAL real* tile, int rows, const GLOBAL real* src, int r0, int nr, int c0, int d) {
  for (int e = LID_X; e < rows * AT_DC; e += AT_NT) {
    int i = e / AT_DC, c = e % AT_DC;
    tile[i * AT_LD + c] = (r0 + i < nr && c0 + c < d) ? src[(long)(r0 + i) * d + c0 + c] : R(0);
  }
}

KERNEL_BOUNDS(AT_NT, 2) void SFX(attention_fwd)(const GLOBAL real* q, const GLOBAL real* k, const GLOBAL real* v, const GLOBAL int* pad,
    GLOBAL real* out, GLOBAL real* lse, int batch, int heads, int tq, int tk, int d, real scale, int causal) {
  SHARED real qs[AT_BQ * AT_LD];
  SHARED real ks[AT_BK * AT_LD];
  SHARED real vs[AT_BK * AT_LD];
  SHARED real ps[AT_BQ * AT_PL];
  SHARED real rowM[AT_BQ];
  SHARED real rowL[AT_BQ];
  SHARED real rowA[AT_BQ];
  int t = LID_X;
  int sj = t % AT_BK, si = t / AT_BK;
  int oc = t % AT_DC, oi = t / AT_DC;
  int nQT = (tq + AT_BQ - 1) / AT_BQ, nDC = (d + AT_DC - 1) / AT_DC;
  int total = batch * heads * nQT * nDC;
  for (int blk = GROUP_X; blk < total; blk += NGROUPS_X) {
    int dcI = blk % nDC, rest = blk / nDC;
    int qt = rest % nQT, bh = rest / nQT, b = bh / heads;
    int q0 = qt * AT_BQ, c0 = dcI * AT_DC;
    const GLOBAL real* qh = q + (long)bh * tq * d;
    const GLOBAL real* kh = k + (long)bh * tk * d;
    const GLOBAL real* vh = v + (long)bh * tk * d;
    real o[AT_OPT];
    UNROLL for (int r = 0; r < AT_OPT; r++) o[r] = 0;
    if (t < AT_BQ) {
      rowM[t] = -REAL_INF;
      rowL[t] = 0;
    }
    // Under causal masking no query of this tile sees a key at or past kEnd.
    int kEnd = causal ? min(tk, q0 + AT_BQ + tk - tq) : tk;
    if (nDC == 1) at_load(qs, AT_BQ, qh, q0, tq, 0, d);
    for (int k0 = 0; k0 < kEnd; k0 += AT_BK) {
      // scores s = q . k over the full head dimension, chunk by chunk
      real s[AT_SPT];
      UNROLL for (int r = 0; r < AT_SPT; r++) s[r] = 0;
      for (int cc = 0; cc < nDC; cc++) {
        BARRIER();
        if (nDC > 1) at_load(qs, AT_BQ, qh, q0, tq, cc * AT_DC, d);
        at_load(ks, AT_BK, kh, k0, tk, cc * AT_DC, d);
        BARRIER();
        for (int c = 0; c < AT_DC; c++) {
          real kv = ks[sj * AT_LD + c];
          UNROLL for (int r = 0; r < AT_SPT; r++) s[r] += qs[(si + r * AT_SROWS) * AT_LD + c] * kv;
        }
      }
      at_load(vs, AT_BK, vh, k0, tk, c0, d);
      UNROLL for (int r = 0; r < AT_SPT; r++) {
        int i = si + r * AT_SROWS;
        ps[i * AT_PL + sj] = at_allowed(pad, b, tq, tk, q0 + i, k0 + sj, causal) ? s[r] * scale : -REAL_INF;
      }
      BARRIER();
      // online softmax, one thread per query row: rescale the running sum, turn scores into weights
      if (t < AT_BQ) {
        real mOld = rowM[t], mNew = mOld, l = rowL[t], alpha = R(1);
        for (int j = 0; j < AT_BK; j++) mNew = MAXR(mNew, ps[t * AT_PL + j]);
        if (mNew == -REAL_INF) {
          for (int j = 0; j < AT_BK; j++) ps[t * AT_PL + j] = 0;
        } else {
          alpha = mOld == -REAL_INF ? R(0) : EXP(mOld - mNew);
          real sum = 0;
          for (int j = 0; j < AT_BK; j++) {
            real sv = ps[t * AT_PL + j];
            real p = sv == -REAL_INF ? R(0) : EXP(sv - mNew);
            ps[t * AT_PL + j] = p;
            sum += p;
          }
          l = l * alpha + sum;
        }
        rowM[t] = mNew;
        rowL[t] = l;
        rowA[t] = alpha;
      }
      BARRIER();
      UNROLL for (int r = 0; r < AT_OPT; r++) {
        int i = oi + r * AT_OROWS;
        real acc = o[r] * rowA[i];
        for (int j = 0; j < AT_BK; j++) acc += ps[i * AT_PL + j] * vs[j * AT_LD + oc];
        o[r] = acc;
      }
    }
    UNROLL for (int r = 0; r < AT_OPT; r++) {
      int i = oi + r * AT_OROWS;
      if (q0 + i < tq && c0 + oc < d) {
        real l = rowL[i];
        out[((long)bh * tq + q0 + i) * d + c0 + oc] = l > 0 ? o[r] / l : R(0);
      }
    }
    if (dcI == 0 && t < AT_BQ && q0 + t < tq) {
      real l = rowL[t];
      lse[(long)bh * tq + q0 + t] = l > 0 ? rowM[t] + LOG(l) : -REAL_INF;
    }
    BARRIER();
  }
}

// delta[row] = sum_c dout[row, c] * out[row, c]: the softmax backward's row term. 8 rows per block.
KERNEL_BOUNDS(256, 4) void SFX(attention_bwd_delta)(const GLOBAL real* out, const GLOBAL real* dout, GLOBAL real* delta, int rows, int d) {
  SHARED real sh[8 * 33];
  int lane = LID_X & 31, w = LID_X >> 5;
  for (int r0 = GROUP_X * AT_DELTA_ROWS; r0 < rows; r0 += NGROUPS_X * AT_DELTA_ROWS) {
    int r = r0 + w;
    real s = 0;
    if (r < rows)
      for (int c = lane; c < d; c += 32) s += out[(long)r * d + c] * dout[(long)r * d + c];
    sh[w * 33 + lane] = s;
    BARRIER();
    if (lane == 0 && r < rows) {
      real acc = 0;
      for (int k2 = 0; k2 < 32; k2++) acc += sh[w * 33 + k2];
      delta[r] = acc;
    }
    BARRIER();
  }
}

// ds = p * (dp - delta_i) * scale with p = exp(s * scale - lse_i) and dp = dout_i . v_j; 0 where masked.
DEVICE real at_dscore(real s, real dp, real lseI, real deltaI, real scale, int allowed, real* p) {
  if (!allowed || lseI == -REAL_INF) {
    *p = 0;
    return 0;
  }
  *p = EXP(s * scale - lseI);
  return *p * (dp - deltaI) * scale;
}

// dq_i = sum_j ds_ij k_j. Blocks as in the forward: (query tile, b*h, head-dimension chunk).
KERNEL_BOUNDS(AT_NT, 2) void SFX(attention_bwd_dq)(const GLOBAL real* q, const GLOBAL real* k, const GLOBAL real* v, const GLOBAL int* pad,
    const GLOBAL real* lse, const GLOBAL real* delta, const GLOBAL real* dout, GLOBAL real* dq,
    int batch, int heads, int tq, int tk, int d, real scale, int causal) {
  SHARED real qs[AT_BQ * AT_LD];
  SHARED real dos[AT_BQ * AT_LD];
  SHARED real ks[AT_BK * AT_LD];
  SHARED real vs[AT_BK * AT_LD];
  SHARED real dss[AT_BQ * AT_PL];
  SHARED real rowLse[AT_BQ];
  SHARED real rowD[AT_BQ];
  int t = LID_X;
  int sj = t % AT_BK, si = t / AT_BK;
  int oc = t % AT_DC, oi = t / AT_DC;
  int nQT = (tq + AT_BQ - 1) / AT_BQ, nDC = (d + AT_DC - 1) / AT_DC;
  int total = batch * heads * nQT * nDC;
  for (int blk = GROUP_X; blk < total; blk += NGROUPS_X) {
    int dcI = blk % nDC, rest = blk / nDC;
    int qt = rest % nQT, bh = rest / nQT, b = bh / heads;
    int q0 = qt * AT_BQ, c0 = dcI * AT_DC;
    const GLOBAL real* qh = q + (long)bh * tq * d;
    const GLOBAL real* doh = dout + (long)bh * tq * d;
    const GLOBAL real* kh = k + (long)bh * tk * d;
    const GLOBAL real* vh = v + (long)bh * tk * d;
    if (t < AT_BQ) {
      int i = q0 + t;
      rowLse[t] = i < tq ? lse[(long)bh * tq + i] : -REAL_INF;
      rowD[t] = i < tq ? delta[(long)bh * tq + i] : R(0);
    }
    real acc[AT_OPT];
    UNROLL for (int r = 0; r < AT_OPT; r++) acc[r] = 0;
    int kEnd = causal ? min(tk, q0 + AT_BQ + tk - tq) : tk;
    if (nDC == 1) {
      at_load(qs, AT_BQ, qh, q0, tq, 0, d);
      at_load(dos, AT_BQ, doh, q0, tq, 0, d);
    }
    for (int k0 = 0; k0 < kEnd; k0 += AT_BK) {
      real s[AT_SPT], dp[AT_SPT];
      UNROLL for (int r = 0; r < AT_SPT; r++) { s[r] = 0; dp[r] = 0; }
      for (int cc = 0; cc < nDC; cc++) {
        BARRIER();
        if (nDC > 1) {
          at_load(qs, AT_BQ, qh, q0, tq, cc * AT_DC, d);
          at_load(dos, AT_BQ, doh, q0, tq, cc * AT_DC, d);
        }
        at_load(ks, AT_BK, kh, k0, tk, cc * AT_DC, d);
        at_load(vs, AT_BK, vh, k0, tk, cc * AT_DC, d);
        BARRIER();
        for (int c = 0; c < AT_DC; c++) {
          real kv = ks[sj * AT_LD + c], vv = vs[sj * AT_LD + c];
          UNROLL for (int r = 0; r < AT_SPT; r++) {
            int i = si + r * AT_SROWS;
            s[r] += qs[i * AT_LD + c] * kv;
            dp[r] += dos[i * AT_LD + c] * vv;
          }
        }
      }
      UNROLL for (int r = 0; r < AT_SPT; r++) {
        int i = si + r * AT_SROWS;
        real p;
        dss[i * AT_PL + sj] = at_dscore(s[r], dp[r], rowLse[i], rowD[i], scale, at_allowed(pad, b, tq, tk, q0 + i, k0 + sj, causal), &p);
      }
      BARRIER();  // (unconditional: PoCL needs barriers outside conditionals)
      if (nDC > 1) at_load(ks, AT_BK, kh, k0, tk, c0, d);
      BARRIER();
      UNROLL for (int r = 0; r < AT_OPT; r++) {
        int i = oi + r * AT_OROWS;
        real a = acc[r];
        for (int j = 0; j < AT_BK; j++) a += dss[i * AT_PL + j] * ks[j * AT_LD + oc];
        acc[r] = a;
      }
    }
    UNROLL for (int r = 0; r < AT_OPT; r++) {
      int i = oi + r * AT_OROWS;
      if (q0 + i < tq && c0 + oc < d) dq[((long)bh * tq + q0 + i) * d + c0 + oc] = acc[r];
    }
    BARRIER();
  }
}

// dk_j = sum_i ds_ij q_i, dv_j = sum_i p_ij dout_i. Blocks: (key tile, b*h, head-dimension chunk); each
// loops over the query tiles that can see its keys.
KERNEL_BOUNDS(AT_NT, 2) void SFX(attention_bwd_dkdv)(const GLOBAL real* q, const GLOBAL real* k, const GLOBAL real* v, const GLOBAL int* pad,
    const GLOBAL real* lse, const GLOBAL real* delta, const GLOBAL real* dout, GLOBAL real* dk, GLOBAL real* dv,
    int batch, int heads, int tq, int tk, int d, real scale, int causal) {
  SHARED real qs[AT_BQ * AT_LD];
  SHARED real dos[AT_BQ * AT_LD];
  SHARED real ks[AT_BK * AT_LD];
  SHARED real vs[AT_BK * AT_LD];
  SHARED real ps[AT_BQ * AT_PL];
  SHARED real dss[AT_BQ * AT_PL];
  SHARED real rowLse[AT_BQ];
  SHARED real rowD[AT_BQ];
  int t = LID_X;
  int sj = t % AT_BK, si = t / AT_BK;
  int kc = t % AT_DC, ki = t / AT_DC;
  int nKT = (tk + AT_BK - 1) / AT_BK, nDC = (d + AT_DC - 1) / AT_DC;
  int total = batch * heads * nKT * nDC;
  for (int blk = GROUP_X; blk < total; blk += NGROUPS_X) {
    int dcI = blk % nDC, rest = blk / nDC;
    int kt = rest % nKT, bh = rest / nKT, b = bh / heads;
    int k0 = kt * AT_BK, c0 = dcI * AT_DC;
    const GLOBAL real* qh = q + (long)bh * tq * d;
    const GLOBAL real* doh = dout + (long)bh * tq * d;
    const GLOBAL real* kh = k + (long)bh * tk * d;
    const GLOBAL real* vh = v + (long)bh * tk * d;
    real akk[AT_KPT], avv[AT_KPT];
    UNROLL for (int r = 0; r < AT_KPT; r++) { akk[r] = 0; avv[r] = 0; }
    // Under causal masking only queries i >= k0 - (Tk - Tq) see a key of this tile.
    int qStart = causal ? max(0, k0 - (tk - tq)) / AT_BQ * AT_BQ : 0;
    if (nDC == 1) {
      at_load(ks, AT_BK, kh, k0, tk, 0, d);
      at_load(vs, AT_BK, vh, k0, tk, 0, d);
    }
    for (int q0 = qStart; q0 < tq; q0 += AT_BQ) {
      real s[AT_SPT], dp[AT_SPT];
      UNROLL for (int r = 0; r < AT_SPT; r++) { s[r] = 0; dp[r] = 0; }
      for (int cc = 0; cc < nDC; cc++) {
        BARRIER();
        at_load(qs, AT_BQ, qh, q0, tq, cc * AT_DC, d);
        at_load(dos, AT_BQ, doh, q0, tq, cc * AT_DC, d);
        if (nDC > 1) {
          at_load(ks, AT_BK, kh, k0, tk, cc * AT_DC, d);
          at_load(vs, AT_BK, vh, k0, tk, cc * AT_DC, d);
        }
        if (cc == 0 && t < AT_BQ) {
          int i = q0 + t;
          rowLse[t] = i < tq ? lse[(long)bh * tq + i] : -REAL_INF;
          rowD[t] = i < tq ? delta[(long)bh * tq + i] : R(0);
        }
        BARRIER();
        for (int c = 0; c < AT_DC; c++) {
          real kv = ks[sj * AT_LD + c], vv = vs[sj * AT_LD + c];
          UNROLL for (int r = 0; r < AT_SPT; r++) {
            int i = si + r * AT_SROWS;
            s[r] += qs[i * AT_LD + c] * kv;
            dp[r] += dos[i * AT_LD + c] * vv;
          }
        }
      }
      UNROLL for (int r = 0; r < AT_SPT; r++) {
        int i = si + r * AT_SROWS;
        real p;
        dss[i * AT_PL + sj] = at_dscore(s[r], dp[r], rowLse[i], rowD[i], scale, at_allowed(pad, b, tq, tk, q0 + i, k0 + sj, causal), &p);
        ps[i * AT_PL + sj] = p;
      }
      BARRIER();
      if (nDC > 1) {
        at_load(qs, AT_BQ, qh, q0, tq, c0, d);
        at_load(dos, AT_BQ, doh, q0, tq, c0, d);
      }
      BARRIER();
      UNROLL for (int r = 0; r < AT_KPT; r++) {
        int j = ki + r * AT_OROWS;
        real a = akk[r], bv = avv[r];
        for (int i = 0; i < AT_BQ; i++) {
          a += dss[i * AT_PL + j] * qs[i * AT_LD + kc];
          bv += ps[i * AT_PL + j] * dos[i * AT_LD + kc];
        }
        akk[r] = a;
        avv[r] = bv;
      }
    }
    UNROLL for (int r = 0; r < AT_KPT; r++) {
      int j = ki + r * AT_OROWS;
      if (k0 + j < tk && c0 + kc < d) {
        long e = ((long)bh * tk + k0 + j) * d + c0 + kc;
        dk[e] = akk[r];
        dv[e] = avv[r];
      }
    }
    BARRIER();
  }
}
