// Embedding family: gather rows of a table [vocab, dim] by I32 index, and the backward scatter-add into
// dtable (accumulates; repeated indices add up through atomics, so the summation order may vary).
#include "common.h"

// out[i, :] = table[idx[i], :]; an index outside [0, vocab) yields a NaN row (the reference throws).
KERNEL void SFX(embedding_gather)(const GLOBAL real* table, const GLOBAL int* idx, GLOBAL real* out, int n, int dim, int vocab) {
  int total = n * dim;
  for (int e = GID_X; e < total; e += GSTRIDE_X) {
    int row = idx[e / dim];
    out[e] = (row >= 0 && row < vocab) ? table[(long)row * dim + e % dim] : REAL_NAN;
  }
}

// dtable[idx[i], :] += dout[i, :]; out-of-range indices are skipped.
KERNEL void SFX(embedding_scatter_add)(const GLOBAL real* dout, const GLOBAL int* idx, GLOBAL real* dtable, int n, int dim, int vocab) {
  int total = n * dim;
  for (int e = GID_X; e < total; e += GSTRIDE_X) {
    int row = idx[e / dim];
    if (row >= 0 && row < vocab) atomic_add_real(dtable + (long)row * dim + e % dim, dout[e]);
  }
}
