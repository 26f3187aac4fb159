// Vector-quantization family: for each row of x [n, d], the nearest codebook row (codebook [k, d]) by squared
// Euclidean distance, fused with the argmin so no n x k distance matrix is written. Distances are summed
// as (x - c)^2 directly (not |x|^2 - 2xc + |c|^2) so that equal codebook rows give equal distances and
// ties resolve to the lowest index exactly as in the reference.
#include "common.h"

#define VQ_BK 32   // codebook rows per tile
#define VQ_DC 32   // feature chunk

KERNEL_BOUNDS(256, 2) void SFX(vq_nearest)(const GLOBAL real* x, const GLOBAL real* code, GLOBAL int* idx, GLOBAL real* dist, int n, int k, int d) {
  SHARED real xs[VQ_BN][VQ_DC + 1];
  SHARED real cs[VQ_BK][VQ_DC + 1];
  SHARED real ds[VQ_BN][VQ_BK + 1];
  int t = LID_X;
  int jj = t % VQ_BK, ii = t / VQ_BK;  // this thread's distances: rows ii + 8r, code jj
  int tilesN = (n + VQ_BN - 1) / VQ_BN;
  for (int blk = GROUP_X; blk < tilesN; blk += NGROUPS_X) {
    int n0 = blk * VQ_BN;
    real best = REAL_INF;   // owned by thread t < VQ_BN for row n0 + t
    int bestIdx = 0;
    for (int k0 = 0; k0 < k; k0 += VQ_BK) {
      real acc[VQ_BN * VQ_BK / 256];
      UNROLL for (int r = 0; r < VQ_BN * VQ_BK / 256; r++) acc[r] = 0;
      for (int c0 = 0; c0 < d; c0 += VQ_DC) {
        BARRIER();
        for (int e = t; e < VQ_BN * VQ_DC; e += 256) {
          int i = e / VQ_DC, c = e % VQ_DC;
          xs[i][c] = (n0 + i < n && c0 + c < d) ? x[(long)(n0 + i) * d + c0 + c] : R(0);
          cs[i][c] = (k0 + i < k && c0 + c < d) ? code[(long)(k0 + i) * d + c0 + c] : R(0);
        }
        BARRIER();
        int cn = min(VQ_DC, d - c0);
        for (int c = 0; c < cn; c++) {
          real cv = cs[jj][c];
          UNROLL for (int r = 0; r < VQ_BN * VQ_BK / 256; r++) {
            real df = xs[ii + r * (256 / VQ_BK)][c] - cv;
            acc[r] += df * df;
          }
        }
      }
      UNROLL for (int r = 0; r < VQ_BN * VQ_BK / 256; r++) ds[ii + r * (256 / VQ_BK)][jj] = acc[r];
      BARRIER();
      if (t < VQ_BN) {
        int kn = min(VQ_BK, k - k0);
        for (int j = 0; j < kn; j++) {
          real v = ds[t][j];
          if (v < best) {   // strict: the lowest index wins ties
            best = v;
            bestIdx = k0 + j;
          }
        }
      }
      BARRIER();
    }
    if (t < VQ_BN && n0 + t < n) {
      idx[n0 + t] = bestIdx;
      if (dist) dist[n0 + t] = best;
    }
    BARRIER();
  }
}
