package org.cartengine.engine.backend;

import org.cartengine.engine.DType;

/**
 * The narrow interface every device implements: allocate, copy, and a short list of op kernels.
 * Autograd, shapes and broadcasting live above it (in {@code Tensor}); a backend sees only buffers
 * and sizes.
 *
 * <p>Conventions, once for all methods:
 *
 * <ul>
 *   <li>Buffers are row-major and contiguous from element 0 unless an offset argument says otherwise.
 *   <li>Outputs are written with {@code =} (not accumulated) unless the method says "accumulates".
 *       Outputs never alias inputs unless the method says so.
 *   <li>All float buffers of one call share one dtype (F32 or F64); index buffers are I32.
 *   <li>Calls may be asynchronous (GPU); {@code read*} and {@code sumSquares} synchronise.
 * </ul>
 */
public interface Backend extends AutoCloseable {

  /** Short name used in logs and with {@code -Dcart.backend=NAME}: reference, simd, cuda, opencl. */
  String name();

  /** Human-readable device description (CPU model, GPU name). */
  String device();

  boolean supports(DType dtype);

  // ---------------------------------------------------------------- memory

  /** A zero-filled buffer of n elements. */
  Buffer allocate(DType dtype, int n);

  /**
   * A buffer of n elements whose contents are unspecified, for an output that the caller overwrites entirely before
   * reading it (a copy): it spares the zero fill, which was a tenth of a CPU training step. Default: {@link #allocate}.
   */
  default Buffer allocateUninitialized(DType dtype, int n) {
    return allocate(dtype, n);
  }

  void write(Buffer dst, int dstOff, float[] src, int srcOff, int n);

  void write(Buffer dst, int dstOff, double[] src, int srcOff, int n);

  void write(Buffer dst, int dstOff, int[] src, int srcOff, int n);

  void read(Buffer src, int srcOff, float[] dst, int dstOff, int n);

  void read(Buffer src, int srcOff, double[] dst, int dstOff, int n);

  void read(Buffer src, int srcOff, int[] dst, int dstOff, int n);

  /** dst[i] = value for i in [off, off+n). */
  void fill(Buffer dst, int off, int n, double value);

  /** Converts between dtypes (F32 <-> F64, I32 -> float). */
  void cast(Buffer src, Buffer dst, int n);

  /**
   * Strided gather/scatter over an index space {@code shape}: for every multi-index i,
   * {@code dst[dstOff + sum i_k*dstStrides_k] (+)= src[srcOff + sum i_k*srcStrides_k]}. Makes views
   * contiguous, and implements slice, concat, split, permute and broadcast expansion. When
   * {@code accumulate} is true the destination is added to; callers guarantee that no two indices map
   * to the same destination element in that case.
   */
  void copyStrided(Buffer src, int srcOff, int[] srcStrides, Buffer dst, int dstOff, int[] dstStrides, int[] shape, boolean accumulate);

  // ---------------------------------------------------------------- data-parallel shards

  /** How many shards of a data-parallel step this backend runs at once (1: one after another). */
  default int shardThreads() {
    return 1;
  }

  /**
   * Runs {@code task} for shards 0..n-1, up to {@link #shardThreads()} at a time, each on one thread from start to
   * end, with the kernels it calls running on that thread alone (a step's small kernels do not pay for a hand-off;
   * the shards keep the cores busy instead). Returns when all have run; rethrows the first failure.
   */
  default void forEachShard(int n, java.util.function.IntConsumer task) {
    for (int i = 0; i < n; i++) task.accept(i);
  }

  /** y += alpha * x over n elements. */
  void axpy(double alpha, Buffer x, Buffer y, int n);

  /** Sum of squares of x[0..n), computed in double where the device allows; synchronises. */
  double sumSquares(Buffer x, int n);

  /**
   * Sum of squares over several buffers (a step's gradients, for the global norm of clipping). A device queues every
   * reduction and synchronises once, where one {@link #sumSquares(Buffer, int)} per buffer would wait for the device
   * once per buffer.
   */
  default double sumSquares(Buffer[] xs, int[] ns) {
    double s = 0;
    for (int i = 0; i < xs.length; i++) s += sumSquares(xs[i], ns[i]);
    return s;
  }

  // ---------------------------------------------------------------- matmul

  /**
   * Batched GEMM: for b in [0, batch), {@code C_b = alpha * op(A_b) * op(B_b) + beta * C_b} where
   * op(X) is X or X^T, A_b starts at aOff + b*strideA with leading dimension lda (row-major), etc.
   * op(A_b) is m x k, op(B_b) is k x n, C_b is m x n. Transposed operands are read in place.
   */
  void gemm(boolean transA, boolean transB, int batch, int m, int n, int k, double alpha,
      Buffer a, int aOff, int strideA, int lda, Buffer b, int bOff, int strideB, int ldb,
      double beta, Buffer c, int cOff, int strideC, int ldc);

  // ---------------------------------------------------------------- elementwise

  /** y = f(x) over n elements. */
  void unary(UnaryOp op, double param, Buffer x, Buffer y, int n);

  /** dx = dy * f'(x) over n elements; y = f(x) is given so kernels may use it (exp, sigmoid, tanh). */
  void unaryBackward(UnaryOp op, double param, Buffer x, Buffer y, Buffer dy, Buffer dx, int n);

  /**
   * out[i] = a[ia] op b[ib] over the index space outShape, where ia = sum i_k*aStrides_k and
   * ib = sum i_k*bStrides_k (a zero stride broadcasts that axis).
   */
  void binary(BinaryOp op, Buffer a, int[] aStrides, Buffer b, int[] bStrides, Buffer out, int[] outShape);

  /**
   * Full-size partial derivative of a binary op: g[i] = dout[i] * d(a op b)/d(which) at element i of
   * outShape (which = 0 for a, 1 for b). The caller reduces g to the operand's shape when it was
   * broadcast.
   */
  void binaryBackward(BinaryOp op, int which, Buffer a, int[] aStrides, Buffer b, int[] bStrides, Buffer dout, Buffer g, int[] outShape);

  /** out = cond != 0 ? a : b, all of n elements (cond is a float mask of 0/1). */
  void where(Buffer cond, Buffer a, Buffer b, Buffer out, int n);

  /** out = sigmoid(a) * b, n elements: CART's fine-fusion gate (paper eqs. 4-5). */
  void sigmoidGate(Buffer a, Buffer b, Buffer out, int n);

  /** da = dout * b * s(1-s), db = dout * s with s = sigmoid(a). */
  void sigmoidGateBackward(Buffer a, Buffer b, Buffer dout, Buffer da, Buffer db, int n);

  /**
   * Inverted dropout with a counter-based hash so every backend draws the same mask: element i is
   * kept iff {@code Dropout.keep(seed, i, p)}; kept elements are scaled by 1/(1-p). The same call
   * on dy gives the backward.
   */
  void dropout(Buffer x, Buffer y, int n, double p, long seed);

  // ---------------------------------------------------------------- reductions

  /**
   * Reduces the middle axis of x viewed as [outer, len, inner] into out [outer, inner]. For MAX,
   * argmax (I32, index along len, first maximum) is written when non-null.
   */
  void reduce(ReduceOp op, Buffer x, Buffer out, Buffer argmax, int outer, int len, int inner);

  /** dx [outer, len, inner] = 0 except dx[o, argmax[o,i], i] = dout[o, i]. */
  void maxBackward(Buffer dout, Buffer argmax, Buffer dx, int outer, int len, int inner);

  // ---------------------------------------------------------------- rows: softmax, losses, norms

  /** Row-wise softmax (or log-softmax) of x [rows, cols]; stable for large logits. */
  void softmax(Buffer x, Buffer y, int rows, int cols, boolean log);

  /** dx from y (the forward output) and dy: softmax: y*(dy - sum(dy*y)); log: dy - exp(y)*sum(dy). */
  void softmaxBackward(Buffer y, Buffer dy, Buffer dx, int rows, int cols, boolean log);

  /**
   * Cross-entropy of logits [rows, cols] against targets (I32) with label smoothing eps: loss[r] =
   * -(1-eps)*logp[t] - eps/cols * sum_j logp[j]; rows whose target equals ignoreIndex get loss 0.
   */
  void crossEntropy(Buffer logits, Buffer targets, Buffer loss, int rows, int cols, int ignoreIndex, double smoothing);

  /** dlogits[r] = dloss[r] * (softmax(logits[r]) - q_r), q the smoothed one-hot; 0 for ignored rows. */
  void crossEntropyBackward(Buffer logits, Buffer targets, Buffer dloss, Buffer dlogits, int rows, int cols, int ignoreIndex, double smoothing);

  /** Row-wise KL(P || Q) from log-probabilities: out[r] = sum_j exp(lp) * (lp - lq). */
  void klDiv(Buffer logP, Buffer logQ, Buffer out, int rows, int cols);

  /**
   * Gradients of klDiv with lp and lq taken as free inputs: dlogP = dout * p * (lp - lq + 1), dlogQ =
   * -dout * p (p = exp(lp)). The log-softmax that produced them carries the normalisation.
   */
  void klDivBackward(Buffer logP, Buffer logQ, Buffer dout, Buffer dlogP, Buffer dlogQ, int rows, int cols);

  /** Layer norm over the last axis: y = (x-mean)*rstd*gamma + beta; mean and rstd [rows] are saved. */
  void layerNorm(Buffer x, Buffer gamma, Buffer beta, Buffer y, Buffer mean, Buffer rstd, int rows, int cols, double eps);

  /** dx, dgamma, dbeta (written, not accumulated) of layerNorm. */
  void layerNormBackward(Buffer x, Buffer gamma, Buffer mean, Buffer rstd, Buffer dy, Buffer dx, Buffer dgamma, Buffer dbeta, int rows, int cols);

  // ---------------------------------------------------------------- embedding

  /** out[i, :] = table[idx[i], :] for i in [0, n); table is [vocab, dim]. */
  void gather(Buffer table, Buffer idx, Buffer out, int n, int dim, int vocab);

  /** dtable[idx[i], :] += dout[i, :] (accumulates; repeated indices add up). */
  void scatterAdd(Buffer dout, Buffer idx, Buffer dtable, int n, int dim, int vocab);

  // ---------------------------------------------------------------- attention

  /**
   * Fused scaled dot-product attention. q [B, H, Tq, D], k and v [B, H, Tk, D], out [B, H, Tq, D],
   * lse [B, H, Tq] (log-sum-exp of the scaled, masked scores, saved for the backward).
   * keyPadding is null or I32 [B, Tk] with 1 = attend, 0 = padded key. causal masks keys j > i
   * (query i aligned to the end when Tq != Tk: key j allowed iff j <= i + Tk - Tq). A query row with
   * every key masked outputs zeros and lse = -inf.
   */
  void attention(Buffer q, Buffer k, Buffer v, Buffer keyPadding, Buffer out, Buffer lse,
      int batch, int heads, int tq, int tk, int d, double scale, boolean causal);

  /** dq, dk, dv (written) of {@link #attention}; masked keys receive exactly zero gradient. */
  void attentionBackward(Buffer q, Buffer k, Buffer v, Buffer keyPadding, Buffer out, Buffer lse, Buffer dout,
      Buffer dq, Buffer dk, Buffer dv, int batch, int heads, int tq, int tk, int d, double scale, boolean causal);

  /**
   * Attention of decoding rows over a memory shared by each group of rows, for inference (no log-sum-exp, no backward).
   * Rows are laid out group by group: group g owns rows groupStart[g] to groupStart[g + 1] (G = groupStart.length - 1,
   * R = groupStart[G] rows; a group may own none). q and out are [R, H, D], the rows' own layout as a projection makes
   * them (row r of [R, H * D]); k is [G, H, D, Tk] when keysTransposed (a memory read by many steps, transposed once by
   * its owner), else [G, H, Tk, D] (a cache that grows by a position per step); v is [G, H, Tk, D]; keyPadding is null
   * or I32 [G, Tk]. Serves a beam search's cross-attention (the beams of query g read its encoder memory; at the last
   * identifier position only some beams of some queries) and its cached self-attention (one row per group). A row with
   * every key padded outputs zeros, as {@link #attention} does.
   *
   * <p>Default: the rows permuted to heads first, {@link #attention}, and permuted back, so every backend has it (ragged
   * groups padded to the widest); a CPU backend fuses it to spare the copies and the log-sum-exp.
   */
  default void decodeAttention(Buffer q, Buffer k, Buffer v, Buffer keyPadding, Buffer out, int[] groupStart, int heads, int tk, int d,
      double scale, boolean keysTransposed) {
    decodeAttentionByAttention(this, q, k, v, keyPadding, out, groupStart, heads, tk, d, scale, keysTransposed);
  }

  /** Group starts of G groups of {@code slots} rows each, for {@link #decodeAttention}: {0, slots, 2 * slots, ..., G * slots}. */
  static int[] evenGroups(int groups, int slots) {
    int[] start = new int[groups + 1];
    for (int g = 0; g <= groups; g++) start[g] = g * slots;
    return start;
  }

  /** Rows of the widest group of {@code groupStart} (see {@link #decodeAttention}). */
  static int widestGroup(int[] groupStart) {
    int widest = 0;
    for (int g = 0; g + 1 < groupStart.length; g++) widest = Math.max(widest, groupStart[g + 1] - groupStart[g]);
    return widest;
  }

  /** {@link #decodeAttention} on {@code be} as keys, queries and outputs permuted around {@link #attention} (the default). */
  static void decodeAttentionByAttention(Backend be, Buffer q, Buffer k, Buffer v, Buffer keyPadding, Buffer out, int[] groupStart, int heads,
      int tk, int d, double scale, boolean keysTransposed) {
    int groups = groupStart.length - 1, rows = groupStart[groups], hd = heads * d;
    if (rows == 0) return;
    int slots = widestGroup(groupStart);
    if (rows != groups * slots) {
      // Ragged (no group is wider than the widest, so only even groups fill G * widest rows): each group's rows copied
      // into a group of the widest width, the even case run there, and copied back.
      try (Buffer qp = be.allocate(q.dtype(), groups * slots * hd); Buffer op = be.allocateUninitialized(q.dtype(), groups * slots * hd)) {
        for (int g = 0; g < groups; g++) {
          int n = (groupStart[g + 1] - groupStart[g]) * hd;
          if (n > 0) be.copyStrided(q, groupStart[g] * hd, new int[] {1}, qp, g * slots * hd, new int[] {1}, new int[] {n}, false);
        }
        decodeAttentionByAttention(be, qp, k, v, keyPadding, op, evenGroups(groups, slots), heads, tk, d, scale, keysTransposed);
        for (int g = 0; g < groups; g++) {
          int n = (groupStart[g + 1] - groupStart[g]) * hd;
          if (n > 0) be.copyStrided(op, g * slots * hd, new int[] {1}, out, groupStart[g] * hd, new int[] {1}, new int[] {n}, false);
        }
      }
      return;
    }
    int n = groups * slots * heads * d;
    int[] shape = {groups, heads, slots, d};
    int[] rowsFirst = {slots * heads * d, d, heads * d, 1}, headsFirst = {heads * slots * d, slots * d, d, 1};
    int nk = groups * heads * tk * d;
    try (Buffer qh = be.allocateUninitialized(q.dtype(), n); Buffer oh = be.allocateUninitialized(q.dtype(), n);
        Buffer lse = be.allocateUninitialized(q.dtype(), groups * heads * slots); Buffer kc = keysTransposed ? be.allocateUninitialized(q.dtype(), nk) : null) {
      if (keysTransposed)
        be.copyStrided(k, 0, new int[] {heads * d * tk, d * tk, 1, tk}, kc, 0, new int[] {heads * tk * d, tk * d, d, 1}, new int[] {groups, heads, tk, d}, false);
      be.copyStrided(q, 0, rowsFirst, qh, 0, headsFirst, shape, false);
      be.attention(qh, keysTransposed ? kc : k, v, keyPadding, oh, lse, groups, heads, slots, tk, d, scale, false);
      be.copyStrided(oh, 0, headsFirst, out, 0, rowsFirst, shape, false);
    }
  }

  // ---------------------------------------------------------------- vector quantization

  /**
   * For each of n vectors x [n, d], the index of the nearest codebook row (codebook [k, d]) by squared
   * Euclidean distance (ties: lowest index), and that distance.
   */
  void vqNearest(Buffer x, Buffer codebook, Buffer idx, Buffer dist, int n, int k, int d);

  // ---------------------------------------------------------------- optimiser

  /**
   * One fused Adam/AdamW step over n elements (bias-corrected with step t >= 1): m = b1*m + (1-b1)*g;
   * v = b2*v + (1-b2)*g^2; p -= lr * (mhat / (sqrt(vhat) + eps) + weightDecay * p). gradScale
   * multiplies g first (global-norm clipping).
   */
  void adamStep(Buffer param, Buffer grad, Buffer m, Buffer v, int n, double lr, double beta1, double beta2,
      double eps, double weightDecay, int step, double gradScale);

  /** Waits for all queued work. */
  void synchronize();

  @Override
  default void close() {}
}
