package org.cartengine.engine.backend.device;

import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.BinaryOp;
import org.cartengine.engine.backend.Buffer;
import org.cartengine.engine.backend.ReduceOp;
import org.cartengine.engine.backend.UnaryOp;

/**
 * Every {@link Backend} method for a device that runs the kernels of kernels/ (CUDA from PTX, OpenCL from the
 * same sources): which kernel each method launches, with how many blocks and threads, and the little host
 * work around it (merging strided axes, bias corrections, the dropout threshold, scratch buffers). Those
 * launches live by kernel family, one class per file of kernels/src/main/kernels ({@code ElementwiseLaunches} for
 * elementwise.cu, ...), and read the geometry they share with the kernels from launch.h ({@link LaunchGeometry}).
 * A subclass is only an allocator, a copier and a launcher (tinygrad's device shape).
 *
 * <p>Launch convention: {@link #launch} takes a 1-D grid of {@code blocks} blocks of {@code threads}
 * threads; arguments are {@link Buffer} (or {@code null}: a null pointer), {@link Integer}, {@link Double}
 * (the kernel's {@code real}: float in the f32 program, double in the f64 one) or {@code int[]} (a struct of
 * ints passed by value, the layout8 of common.h). Kernel names carry the program's suffix (_f32/_f64).
 */
public abstract class DeviceBackend implements Backend {

  /** Which GEMM kernel F32 products use: auto (rb128 when both m, n >= 64, else tiled), tiled, rb128, tf32. */
  private volatile String gemmVariant = System.getProperty("cart.gemm", "auto");

  private final ElementwiseLaunches elementwise = new ElementwiseLaunches(this);
  private final ReduceLaunches reduce = new ReduceLaunches(this);
  private final GemmLaunches gemm = new GemmLaunches(this);
  private final SoftmaxLaunches softmax = new SoftmaxLaunches(this);
  private final LayerNormLaunches layerNorm = new LayerNormLaunches(this);
  private final EmbeddingLaunches embedding = new EmbeddingLaunches(this);
  private final AttentionLaunches attention = new AttentionLaunches(this);
  private final VqLaunches vq = new VqLaunches(this);
  private final AdamLaunches adam = new AdamLaunches(this);

  // ---------------------------------------------------------------- what a device supplies

  /** A device buffer of n elements, zero-filled (its contents are visible to launches queued after this call). */
  protected abstract Buffer newBuffer(DType dtype, int n);

  /**
   * Queues kernel {@code kernel} of {@code family}'s program compiled for {@code program} (F32 or F64) on
   * a 1-D grid. May return before the kernel runs.
   */
  protected abstract void launch(String family, String kernel, DType program, int blocks, int threads, Object... args);

  /** Copies host values into a buffer of the array's own type (F32, F64, I32); the copy is ordered after queued work. */
  protected abstract void writeRaw(Buffer dst, int dstOff, float[] src, int srcOff, int n);

  protected abstract void writeRaw(Buffer dst, int dstOff, double[] src, int srcOff, int n);

  protected abstract void writeRaw(Buffer dst, int dstOff, int[] src, int srcOff, int n);

  /** Waits for queued work, then copies a buffer of the array's own type to the host. */
  protected abstract void readRaw(Buffer src, int srcOff, float[] dst, int dstOff, int n);

  protected abstract void readRaw(Buffer src, int srcOff, double[] dst, int dstOff, int n);

  protected abstract void readRaw(Buffer src, int srcOff, int[] dst, int dstOff, int n);

  /** The largest useful number of blocks of a grid-stride loop (enough to fill the device). */
  protected abstract int maxBlocks();

  /** Whether kernels may accumulate sumSquares in double (f32 programs included). */
  protected abstract boolean deviceHasF64();

  // ---------------------------------------------------------------- helpers

  /** The buffer, checked to be open and of this backend. */
  protected final Buffer own(Buffer b, String op) {
    if (b == null) return null;
    if (b.backend() != this) throw new IllegalArgumentException(op + ": buffer from backend " + b.backend().name() + " passed to " + name());
    b.checkOpen(op);
    return b;
  }

  /** The float dtype of a call, from its main buffer; F64 only where supported. */
  protected final DType floatType(Buffer b, String op) {
    DType dt = own(b, op).dtype();
    if (!dt.isFloating()) throw new IllegalArgumentException(op + ": needs a F32 or F64 buffer, got " + dt);
    if (!supports(dt)) throw new UnsupportedOperationException(op + ": " + name() + " on " + device() + " does not support " + dt);
    return dt;
  }

  protected static String k(String base, DType dt) {
    return base + (dt == DType.F64 ? "_f64" : "_f32");
  }

  /** Blocks for a grid-stride loop over n items. */
  protected final int blocksFor(long n, int threads) {
    return (int) Math.max(1, Math.min((n + threads - 1) / threads, maxBlocks()));
  }

  /** Threads for one block per row of {@code cols}: a power of two in [32, BLOCK_THREADS]. */
  protected static int rowThreads(int cols) {
    int t = 32;
    while (t < cols && t < LaunchGeometry.BLOCK_THREADS) t <<= 1;
    return t;
  }

  /** Blocks for one block per row, grid-striding beyond the cap. */
  protected final int rowBlocks(int rows) {
    return Math.max(1, Math.min(rows, 64 * maxBlocks()));
  }

  /** The GEMM kernel for F32 products ("auto", "tiled", "rb128" or "tf32"); tests and benchmarks switch it. */
  public void gemmVariant(String variant) {
    if (!java.util.List.of("auto", "tiled", "rb128", "tf32").contains(variant))
      throw new IllegalArgumentException("unknown GEMM variant '" + variant + "' (auto, tiled, rb128, tf32)");
    gemmVariant = variant;
  }

  public String gemmVariant() {
    return gemmVariant;
  }

  /** Whether the tf32 GEMM kernel is available on this device (CUDA: compute capability 8.0+). */
  protected boolean hasTf32Gemm() {
    return true;
  }

  // ---------------------------------------------------------------- memory

  @Override
  public Buffer allocate(DType dtype, int n) {
    if (n < 0) throw new IllegalArgumentException("allocate: negative size " + n);
    if (!supports(dtype)) throw new UnsupportedOperationException("allocate: " + name() + " on " + device() + " does not support " + dtype);
    return newBuffer(dtype, n);
  }

  @Override
  public void write(Buffer dst, int dstOff, float[] src, int srcOff, int n) {
    transfer(dst, dstOff, src, srcOff, n, true);
  }

  @Override
  public void write(Buffer dst, int dstOff, double[] src, int srcOff, int n) {
    transfer(dst, dstOff, src, srcOff, n, true);
  }

  @Override
  public void write(Buffer dst, int dstOff, int[] src, int srcOff, int n) {
    transfer(dst, dstOff, src, srcOff, n, true);
  }

  @Override
  public void read(Buffer src, int srcOff, float[] dst, int dstOff, int n) {
    transfer(src, srcOff, dst, dstOff, n, false);
  }

  @Override
  public void read(Buffer src, int srcOff, double[] dst, int dstOff, int n) {
    transfer(src, srcOff, dst, dstOff, n, false);
  }

  @Override
  public void read(Buffer src, int srcOff, int[] dst, int dstOff, int n) {
    transfer(src, srcOff, dst, dstOff, n, false);
  }

  /**
   * Copies n values between a buffer and a host array (float[], double[] or int[]). A host array of another type
   * than the buffer is converted on the host, through a staging array of the buffer's type, as the reference
   * backend converts: (float) and (int) casts.
   */
  private void transfer(Buffer b, int bOff, Object host, int hostOff, int n, boolean write) {
    String op = write ? "write" : "read";
    own(b, op);
    if (bOff < 0 || n < 0 || (long) bOff + n > b.length())
      throw new IndexOutOfBoundsException(op + ": range [" + bOff + ", " + ((long) bOff + n) + ") outside a buffer of " + b.length());
    if (n == 0) return;
    if (hostType(host) == b.dtype()) {
      raw(b, bOff, host, hostOff, n, write);
      return;
    }
    Object staged = b.dtype() == DType.F32 ? new float[n] : b.dtype() == DType.F64 ? new double[n] : new int[n];
    if (write) {
      convert(host, hostOff, staged, 0, n);
      raw(b, bOff, staged, 0, n, true);
    } else {
      raw(b, bOff, staged, 0, n, false);
      convert(staged, 0, host, hostOff, n);
    }
  }

  private static DType hostType(Object array) {
    return array instanceof float[] ? DType.F32 : array instanceof double[] ? DType.F64 : DType.I32;
  }

  /** The subclass's copy for the host array's own type. */
  private void raw(Buffer b, int bOff, Object host, int hostOff, int n, boolean write) {
    if (host instanceof float[] f) {
      if (write) writeRaw(b, bOff, f, hostOff, n);
      else readRaw(b, bOff, f, hostOff, n);
    } else if (host instanceof double[] d) {
      if (write) writeRaw(b, bOff, d, hostOff, n);
      else readRaw(b, bOff, d, hostOff, n);
    } else {
      if (write) writeRaw(b, bOff, (int[]) host, hostOff, n);
      else readRaw(b, bOff, (int[]) host, hostOff, n);
    }
  }

  /** dst[dstOff + i] = src[srcOff + i] between arrays of different types, through double (exact for all three). */
  private static void convert(Object src, int srcOff, Object dst, int dstOff, int n) {
    double[] v = src instanceof double[] d ? d : new double[n];
    int vOff = src instanceof double[] ? srcOff : 0;
    if (src instanceof float[] f) for (int i = 0; i < n; i++) v[i] = f[srcOff + i];
    else if (src instanceof int[] a) for (int i = 0; i < n; i++) v[i] = a[srcOff + i];
    if (dst instanceof float[] f) for (int i = 0; i < n; i++) f[dstOff + i] = (float) v[vOff + i];
    else if (dst instanceof double[] d) System.arraycopy(v, vOff, d, dstOff, n);
    else for (int i = 0; i < n; i++) ((int[]) dst)[dstOff + i] = (int) v[vOff + i];
  }

  // ---------------------------------------------------------------- memory (elementwise.cu; sumSquares: reduce.cu)

  @Override
  public void fill(Buffer dst, int off, int n, double value) {
    elementwise.fill(dst, off, n, value);
  }

  @Override
  public void cast(Buffer src, Buffer dst, int n) {
    elementwise.cast(src, dst, n);
  }

  @Override
  public void copyStrided(Buffer src, int srcOff, int[] srcStrides, Buffer dst, int dstOff, int[] dstStrides, int[] shape, boolean accumulate) {
    elementwise.copyStrided(src, srcOff, srcStrides, dst, dstOff, dstStrides, shape, accumulate);
  }

  @Override
  public void axpy(double alpha, Buffer x, Buffer y, int n) {
    elementwise.axpy(alpha, x, y, n);
  }

  @Override
  public double sumSquares(Buffer x, int n) {
    return reduce.sumSquares(x, n);
  }

  @Override
  public double sumSquares(Buffer[] xs, int[] ns) {
    return reduce.sumSquares(xs, ns);
  }

  // ---------------------------------------------------------------- matmul (gemm.cu)

  @Override
  public void gemm(boolean transA, boolean transB, int batch, int m, int n, int k, double alpha,
      Buffer a, int aOff, int strideA, int lda, Buffer b, int bOff, int strideB, int ldb,
      double beta, Buffer c, int cOff, int strideC, int ldc) {
    gemm.gemm(transA, transB, batch, m, n, k, alpha, a, aOff, strideA, lda, b, bOff, strideB, ldb, beta, c, cOff, strideC, ldc);
  }

  // ---------------------------------------------------------------- elementwise (elementwise.cu)

  @Override
  public void unary(UnaryOp op, double param, Buffer x, Buffer y, int n) {
    elementwise.unary(op, param, x, y, n);
  }

  @Override
  public void unaryBackward(UnaryOp op, double param, Buffer x, Buffer y, Buffer dy, Buffer dx, int n) {
    elementwise.unaryBackward(op, param, x, y, dy, dx, n);
  }

  @Override
  public void binary(BinaryOp op, Buffer a, int[] aStrides, Buffer b, int[] bStrides, Buffer out, int[] outShape) {
    elementwise.binary(op, a, aStrides, b, bStrides, out, outShape);
  }

  @Override
  public void binaryBackward(BinaryOp op, int which, Buffer a, int[] aStrides, Buffer b, int[] bStrides, Buffer dout, Buffer g, int[] outShape) {
    elementwise.binaryBackward(op, which, a, aStrides, b, bStrides, dout, g, outShape);
  }

  @Override
  public void where(Buffer cond, Buffer a, Buffer b, Buffer out, int n) {
    elementwise.where(cond, a, b, out, n);
  }

  @Override
  public void sigmoidGate(Buffer a, Buffer b, Buffer out, int n) {
    elementwise.sigmoidGate(a, b, out, n);
  }

  @Override
  public void sigmoidGateBackward(Buffer a, Buffer b, Buffer dout, Buffer da, Buffer db, int n) {
    elementwise.sigmoidGateBackward(a, b, dout, da, db, n);
  }

  @Override
  public void dropout(Buffer x, Buffer y, int n, double p, long seed) {
    elementwise.dropout(x, y, n, p, seed);
  }

  // ---------------------------------------------------------------- reductions (reduce.cu)

  @Override
  public void reduce(ReduceOp op, Buffer x, Buffer out, Buffer argmax, int outer, int len, int inner) {
    reduce.reduce(op, x, out, argmax, outer, len, inner);
  }

  @Override
  public void maxBackward(Buffer dout, Buffer argmax, Buffer dx, int outer, int len, int inner) {
    reduce.maxBackward(dout, argmax, dx, outer, len, inner);
  }

  // ---------------------------------------------------------------- rows (softmax.cu, layernorm.cu)

  @Override
  public void softmax(Buffer x, Buffer y, int rows, int cols, boolean log) {
    softmax.softmax(x, y, rows, cols, log);
  }

  @Override
  public void softmaxBackward(Buffer y, Buffer dy, Buffer dx, int rows, int cols, boolean log) {
    softmax.softmaxBackward(y, dy, dx, rows, cols, log);
  }

  @Override
  public void crossEntropy(Buffer logits, Buffer targets, Buffer loss, int rows, int cols, int ignoreIndex, double smoothing) {
    softmax.crossEntropy(logits, targets, loss, rows, cols, ignoreIndex, smoothing);
  }

  @Override
  public void crossEntropyBackward(Buffer logits, Buffer targets, Buffer dloss, Buffer dlogits, int rows, int cols, int ignoreIndex, double smoothing) {
    softmax.crossEntropyBackward(logits, targets, dloss, dlogits, rows, cols, ignoreIndex, smoothing);
  }

  @Override
  public void klDiv(Buffer logP, Buffer logQ, Buffer out, int rows, int cols) {
    softmax.klDiv(logP, logQ, out, rows, cols);
  }

  @Override
  public void klDivBackward(Buffer logP, Buffer logQ, Buffer dout, Buffer dlogP, Buffer dlogQ, int rows, int cols) {
    softmax.klDivBackward(logP, logQ, dout, dlogP, dlogQ, rows, cols);
  }

  @Override
  public void layerNorm(Buffer x, Buffer gamma, Buffer beta, Buffer y, Buffer mean, Buffer rstd, int rows, int cols, double eps) {
    layerNorm.layerNorm(x, gamma, beta, y, mean, rstd, rows, cols, eps);
  }

  @Override
  public void layerNormBackward(Buffer x, Buffer gamma, Buffer mean, Buffer rstd, Buffer dy, Buffer dx, Buffer dgamma, Buffer dbeta, int rows, int cols) {
    layerNorm.layerNormBackward(x, gamma, mean, rstd, dy, dx, dgamma, dbeta, rows, cols);
  }

  // ---------------------------------------------------------------- embedding (embedding.cu)

  @Override
  public void gather(Buffer table, Buffer idx, Buffer out, int n, int dim, int vocab) {
    embedding.gather(table, idx, out, n, dim, vocab);
  }

  @Override
  public void scatterAdd(Buffer dout, Buffer idx, Buffer dtable, int n, int dim, int vocab) {
    embedding.scatterAdd(dout, idx, dtable, n, dim, vocab);
  }

  // ---------------------------------------------------------------- attention (attention.cu)

  @Override
  public void attention(Buffer q, Buffer k, Buffer v, Buffer keyPadding, Buffer out, Buffer lse,
      int batch, int heads, int tq, int tk, int d, double scale, boolean causal) {
    attention.attention(q, k, v, keyPadding, out, lse, batch, heads, tq, tk, d, scale, causal);
  }

  @Override
  public void attentionBackward(Buffer q, Buffer k, Buffer v, Buffer keyPadding, Buffer out, Buffer lse, Buffer dout,
      Buffer dq, Buffer dk, Buffer dv, int batch, int heads, int tq, int tk, int d, double scale, boolean causal) {
    attention.attentionBackward(q, k, v, keyPadding, out, lse, dout, dq, dk, dv, batch, heads, tq, tk, d, scale, causal);
  }

  // ---------------------------------------------------------------- vector quantization (vq.cu)

  @Override
  public void vqNearest(Buffer x, Buffer codebook, Buffer idx, Buffer dist, int n, int k, int d) {
    vq.vqNearest(x, codebook, idx, dist, n, k, d);
  }

  // ---------------------------------------------------------------- optimiser (adam.cu)

  @Override
  public void adamStep(Buffer param, Buffer grad, Buffer m, Buffer v, int n, double lr, double beta1, double beta2,
      double eps, double weightDecay, int step, double gradScale) {
    adam.adamStep(param, grad, m, v, n, lr, beta1, beta2, eps, weightDecay, step, gradScale);
  }
}
