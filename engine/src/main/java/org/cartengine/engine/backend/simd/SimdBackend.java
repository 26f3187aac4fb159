package org.cartengine.engine.backend.simd;

import org.cartengine.engine.DType;
import org.cartengine.engine.backend.BinaryOp;
import org.cartengine.engine.backend.Buffer;
import org.cartengine.engine.backend.ReduceOp;
import org.cartengine.engine.backend.UnaryOp;
import org.cartengine.engine.backend.reference.RefBuffer;
import org.cartengine.engine.backend.reference.ReferenceBackend;

/**
 * The fast CPU backend: F32 kernels written with the JDK Vector API and split over the cores.
 * Buffers are the reference backend's ({@link RefBuffer}), so F64 and I32 work, and anything not
 * overridden here, runs the reference loops.
 *
 * <p>This class holds no Vector API type: the kernels live in the other classes of this package and
 * are loaded only after the constructor has checked that {@code jdk.incubator.vector} is present, so
 * a JVM without {@code --add-modules=jdk.incubator.vector} merely skips this backend.
 *
 * <p>System properties: {@code cart.simd=off} runs the same kernels with scalar Java loops (still
 * multithreaded), {@code cart.simd.width=64|128|256|512} forces the vector width,
 * {@code cart.threads=N} the number of threads.
 */
public class SimdBackend extends ReferenceBackend {
  private final boolean simd;
  private final int bits;
  private final Parallel par;
  private final GemmF32 gemm;
  private final ElementwiseF32 elementwise;
  private final CopyF32 copy;
  private final ReduceF32 reduce;
  private final SoftmaxF32 softmax;
  private final LayerNormF32 layerNorm;
  private final EmbeddingF32 embedding;
  private final AttentionF32 attention;
  private final VqF32 vq;
  private final AdamF32 adam;

  /** Configured from the system properties cart.simd, cart.simd.width and cart.threads. */
  public SimdBackend() {
    this(!"off".equalsIgnoreCase(System.getProperty("cart.simd", "on").trim()), 0);
  }

  /**
   * @param simd false runs the scalar loops (tests keep that path covered)
   * @param bits 0, or the vector width in bits, which must equal the JVM's (fixed by cart.simd.width)
   */
  public SimdBackend(boolean simd, int bits) {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty())
      throw new IllegalStateException("module jdk.incubator.vector is not loaded (run java with --add-modules=jdk.incubator.vector)");
    if (Vec.PROBLEM != null) throw new IllegalStateException(Vec.PROBLEM);
    if (bits != 0 && bits != Vec.bits())
      throw new IllegalArgumentException("simd: this JVM's vector width is " + Vec.bits() + " bits, fixed at start-up by -Dcart.simd.width; cannot use " + bits);
    this.simd = simd;
    this.bits = Vec.bits();
    int threads = Integer.getInteger("cart.threads", Runtime.getRuntime().availableProcessors());
    if (threads < 1) throw new IllegalStateException("cart.threads must be >= 1, got " + threads);
    this.par = new Parallel(threads);
    this.gemm = new GemmF32(simd, par);
    this.elementwise = new ElementwiseF32(simd, par);
    this.copy = new CopyF32(simd, par);
    this.reduce = new ReduceF32(simd, par);
    this.softmax = new SoftmaxF32(simd, par);
    this.layerNorm = new LayerNormF32(simd, par, softmax);
    this.embedding = new EmbeddingF32(simd, par);
    this.attention = new AttentionF32(simd, par);
    this.vq = new VqF32(simd, par, softmax);
    this.adam = new AdamF32(simd, par);
  }

  @Override
  public String name() {
    return "simd";
  }

  @Override
  public String device() {
    return "CPU " + System.getProperty("os.arch") + " (Vector API " + bits + "-bit = " + Vec.L + " floats, SIMD " + (simd ? "on" : "off: scalar loops")
        + ", " + par.threads + " threads)";
  }

  /** True when the vector kernels run (false with cart.simd=off). */
  public boolean simdEnabled() {
    return simd;
  }

  @Override
  public int shardThreads() {
    return par.threads;
  }

  @Override
  public void forEachShard(int n, java.util.function.IntConsumer task) {
    par.forEachTask(n, task);
  }

  public int threads() {
    return par.threads;
  }

  private static float[] f(Buffer b) {
    return b == null ? null : r(b).f;
  }

  private static int[] ints(Buffer b) {
    return b == null ? null : r(b).i;
  }

  /** True when every given float buffer (nulls skipped) is F32: then the fast kernels run, else the reference loops. */
  private static boolean f32(Buffer... bs) {
    for (Buffer b : bs) if (b != null && b.dtype() != DType.F32) return false;
    return true;
  }

  // ---------------------------------------------------------------- memory

  @Override
  public void write(Buffer dst, int dstOff, float[] src, int srcOff, int n) {
    if (dst.dtype() == DType.F32) System.arraycopy(src, srcOff, f(dst), dstOff, n);
    else super.write(dst, dstOff, src, srcOff, n);
  }

  @Override
  public void write(Buffer dst, int dstOff, int[] src, int srcOff, int n) {
    if (dst.dtype() == DType.I32) System.arraycopy(src, srcOff, ints(dst), dstOff, n);
    else super.write(dst, dstOff, src, srcOff, n);
  }

  @Override
  public void read(Buffer src, int srcOff, float[] dst, int dstOff, int n) {
    if (src.dtype() == DType.F32) System.arraycopy(f(src), srcOff, dst, dstOff, n);
    else super.read(src, srcOff, dst, dstOff, n);
  }

  @Override
  public void read(Buffer src, int srcOff, int[] dst, int dstOff, int n) {
    if (src.dtype() == DType.I32) System.arraycopy(ints(src), srcOff, dst, dstOff, n);
    else super.read(src, srcOff, dst, dstOff, n);
  }

  @Override
  public void fill(Buffer dst, int off, int n, double value) {
    if (dst.dtype() == DType.F32) java.util.Arrays.fill(f(dst), off, off + n, (float) value);
    else super.fill(dst, off, n, value);
  }

  @Override
  public void cast(Buffer src, Buffer dst, int n) {
    RefBuffer s = r(src), t = r(dst);
    if (t.f != null && s.f != null) System.arraycopy(s.f, 0, t.f, 0, n);
    else if (t.f != null && s.d != null) for (int k = 0; k < n; k++) t.f[k] = (float) s.d[k];
    else if (t.f != null && s.i != null) for (int k = 0; k < n; k++) t.f[k] = s.i[k];
    else if (t.d != null && s.f != null) for (int k = 0; k < n; k++) t.d[k] = s.f[k];
    else super.cast(src, dst, n);
  }

  @Override
  public void copyStrided(Buffer src, int srcOff, int[] srcStrides, Buffer dst, int dstOff, int[] dstStrides, int[] shape, boolean accumulate) {
    if (src.dtype() == DType.F32 && dst.dtype() == DType.F32) copy.copyStrided(f(src), srcOff, srcStrides, f(dst), dstOff, dstStrides, shape, accumulate);
    else super.copyStrided(src, srcOff, srcStrides, dst, dstOff, dstStrides, shape, accumulate);
  }

  @Override
  public void axpy(double alpha, Buffer x, Buffer y, int n) {
    if (f32(x, y)) elementwise.axpy((float) alpha, f(x), f(y), n);
    else super.axpy(alpha, x, y, n);
  }

  @Override
  public double sumSquares(Buffer x, int n) {
    return f32(x) ? elementwise.sumSquares(f(x), n) : super.sumSquares(x, n);
  }

  // ---------------------------------------------------------------- matmul

  @Override
  public void gemm(boolean transA, boolean transB, int batch, int m, int n, int k, double alpha,
      Buffer a, int aOff, int strideA, int lda, Buffer b, int bOff, int strideB, int ldb,
      double beta, Buffer c, int cOff, int strideC, int ldc) {
    if (!f32(a, b, c)) {
      super.gemm(transA, transB, batch, m, n, k, alpha, a, aOff, strideA, lda, b, bOff, strideB, ldb, beta, c, cOff, strideC, ldc);
      return;
    }
    gemm.gemm(transA, transB, batch, m, n, k, (float) alpha, f(a), aOff, strideA, lda, f(b), bOff, strideB, ldb,
        (float) beta, f(c), cOff, strideC, ldc);
  }

  // ---------------------------------------------------------------- elementwise

  @Override
  public void unary(UnaryOp op, double param, Buffer x, Buffer y, int n) {
    if (f32(x, y)) elementwise.unary(op, (float) param, f(x), f(y), n);
    else super.unary(op, param, x, y, n);
  }

  @Override
  public void unaryBackward(UnaryOp op, double param, Buffer x, Buffer y, Buffer dy, Buffer dx, int n) {
    if (f32(x, y, dy, dx)) elementwise.unaryBackward(op, (float) param, f(x), f(y), f(dy), f(dx), n);
    else super.unaryBackward(op, param, x, y, dy, dx, n);
  }

  @Override
  public void binary(BinaryOp op, Buffer a, int[] aStrides, Buffer b, int[] bStrides, Buffer out, int[] outShape) {
    if (f32(a, b, out)) elementwise.binary(op, f(a), aStrides, f(b), bStrides, f(out), outShape);
    else super.binary(op, a, aStrides, b, bStrides, out, outShape);
  }

  @Override
  public void binaryBackward(BinaryOp op, int which, Buffer a, int[] aStrides, Buffer b, int[] bStrides, Buffer dout, Buffer g, int[] outShape) {
    if (f32(a, b, dout, g)) elementwise.binaryBackward(op, which, f(a), aStrides, f(b), bStrides, f(dout), f(g), outShape);
    else super.binaryBackward(op, which, a, aStrides, b, bStrides, dout, g, outShape);
  }

  @Override
  public void where(Buffer cond, Buffer a, Buffer b, Buffer out, int n) {
    if (f32(cond, a, b, out)) elementwise.where(f(cond), f(a), f(b), f(out), n);
    else super.where(cond, a, b, out, n);
  }

  @Override
  public void sigmoidGate(Buffer a, Buffer b, Buffer out, int n) {
    if (f32(a, b, out)) elementwise.sigmoidGate(f(a), f(b), f(out), n);
    else super.sigmoidGate(a, b, out, n);
  }

  @Override
  public void sigmoidGateBackward(Buffer a, Buffer b, Buffer dout, Buffer da, Buffer db, int n) {
    if (f32(a, b, dout, da, db)) elementwise.sigmoidGateBackward(f(a), f(b), f(dout), f(da), f(db), n);
    else super.sigmoidGateBackward(a, b, dout, da, db, n);
  }

  @Override
  public void dropout(Buffer x, Buffer y, int n, double p, long seed) {
    if (f32(x, y)) elementwise.dropout(f(x), f(y), n, p, seed);
    else super.dropout(x, y, n, p, seed);
  }

  // ---------------------------------------------------------------- reductions

  @Override
  public void reduce(ReduceOp op, Buffer x, Buffer out, Buffer argmax, int outer, int len, int inner) {
    if (f32(x, out)) reduce.reduce(op, f(x), f(out), ints(argmax), outer, len, inner);
    else super.reduce(op, x, out, argmax, outer, len, inner);
  }

  @Override
  public void maxBackward(Buffer dout, Buffer argmax, Buffer dx, int outer, int len, int inner) {
    if (f32(dout, dx)) reduce.maxBackward(f(dout), ints(argmax), f(dx), outer, len, inner);
    else super.maxBackward(dout, argmax, dx, outer, len, inner);
  }

  // ---------------------------------------------------------------- rows

  @Override
  public void softmax(Buffer x, Buffer y, int rows, int cols, boolean log) {
    if (f32(x, y)) softmax.softmax(f(x), f(y), rows, cols, log);
    else super.softmax(x, y, rows, cols, log);
  }

  @Override
  public void softmaxBackward(Buffer y, Buffer dy, Buffer dx, int rows, int cols, boolean log) {
    if (f32(y, dy, dx)) softmax.softmaxBackward(f(y), f(dy), f(dx), rows, cols, log);
    else super.softmaxBackward(y, dy, dx, rows, cols, log);
  }

  @Override
  public void crossEntropy(Buffer logits, Buffer targets, Buffer loss, int rows, int cols, int ignoreIndex, double smoothing) {
    if (f32(logits, loss)) softmax.crossEntropy(f(logits), ints(targets), f(loss), rows, cols, ignoreIndex, (float) smoothing);
    else super.crossEntropy(logits, targets, loss, rows, cols, ignoreIndex, smoothing);
  }

  @Override
  public void crossEntropyBackward(Buffer logits, Buffer targets, Buffer dloss, Buffer dlogits, int rows, int cols, int ignoreIndex, double smoothing) {
    if (f32(logits, dloss, dlogits)) softmax.crossEntropyBackward(f(logits), ints(targets), f(dloss), f(dlogits), rows, cols, ignoreIndex, (float) smoothing);
    else super.crossEntropyBackward(logits, targets, dloss, dlogits, rows, cols, ignoreIndex, smoothing);
  }

  @Override
  public void klDiv(Buffer logP, Buffer logQ, Buffer out, int rows, int cols) {
    if (f32(logP, logQ, out)) softmax.klDiv(f(logP), f(logQ), f(out), rows, cols);
    else super.klDiv(logP, logQ, out, rows, cols);
  }

  @Override
  public void klDivBackward(Buffer logP, Buffer logQ, Buffer dout, Buffer dlogP, Buffer dlogQ, int rows, int cols) {
    if (f32(logP, logQ, dout, dlogP, dlogQ)) softmax.klDivBackward(f(logP), f(logQ), f(dout), f(dlogP), f(dlogQ), rows, cols);
    else super.klDivBackward(logP, logQ, dout, dlogP, dlogQ, rows, cols);
  }

  @Override
  public void layerNorm(Buffer x, Buffer gamma, Buffer beta, Buffer y, Buffer mean, Buffer rstd, int rows, int cols, double eps) {
    if (f32(x, gamma, beta, y, mean, rstd)) layerNorm.forward(f(x), f(gamma), f(beta), f(y), f(mean), f(rstd), rows, cols, (float) eps);
    else super.layerNorm(x, gamma, beta, y, mean, rstd, rows, cols, eps);
  }

  @Override
  public void layerNormBackward(Buffer x, Buffer gamma, Buffer mean, Buffer rstd, Buffer dy, Buffer dx, Buffer dgamma, Buffer dbeta, int rows, int cols) {
    if (f32(x, gamma, mean, rstd, dy, dx, dgamma, dbeta)) layerNorm.backward(f(x), f(gamma), f(mean), f(rstd), f(dy), f(dx), f(dgamma), f(dbeta), rows, cols);
    else super.layerNormBackward(x, gamma, mean, rstd, dy, dx, dgamma, dbeta, rows, cols);
  }

  // ---------------------------------------------------------------- embedding

  @Override
  public void gather(Buffer table, Buffer idx, Buffer out, int n, int dim, int vocab) {
    if (f32(table, out)) embedding.gather(f(table), ints(idx), f(out), n, dim, vocab);
    else super.gather(table, idx, out, n, dim, vocab);
  }

  @Override
  public void scatterAdd(Buffer dout, Buffer idx, Buffer dtable, int n, int dim, int vocab) {
    if (f32(dout, dtable)) embedding.scatterAdd(f(dout), ints(idx), f(dtable), n, dim, vocab);
    else super.scatterAdd(dout, idx, dtable, n, dim, vocab);
  }

  // ---------------------------------------------------------------- attention

  @Override
  public void attention(Buffer q, Buffer k, Buffer v, Buffer keyPadding, Buffer out, Buffer lse,
      int batch, int heads, int tq, int tk, int d, double scale, boolean causal) {
    if (f32(q, k, v, out, lse)) attention.forward(f(q), f(k), f(v), ints(keyPadding), f(out), f(lse), batch, heads, tq, tk, d, (float) scale, causal);
    else super.attention(q, k, v, keyPadding, out, lse, batch, heads, tq, tk, d, scale, causal);
  }

  @Override
  public void decodeAttention(Buffer q, Buffer k, Buffer v, Buffer keyPadding, Buffer out, int[] groupStart, int heads, int tk, int d,
      double scale, boolean keysTransposed) {
    if (f32(q, k, v, out)) attention.decode(f(q), f(k), f(v), ints(keyPadding), f(out), groupStart, heads, tk, d, (float) scale, keysTransposed);
    else super.decodeAttention(q, k, v, keyPadding, out, groupStart, heads, tk, d, scale, keysTransposed);
  }

  @Override
  public void attentionBackward(Buffer q, Buffer k, Buffer v, Buffer keyPadding, Buffer out, Buffer lse, Buffer dout,
      Buffer dq, Buffer dk, Buffer dv, int batch, int heads, int tq, int tk, int d, double scale, boolean causal) {
    if (f32(q, k, v, out, lse, dout, dq, dk, dv))
      attention.backward(f(q), f(k), f(v), ints(keyPadding), f(out), f(lse), f(dout), f(dq), f(dk), f(dv), batch, heads, tq, tk, d, (float) scale, causal);
    else super.attentionBackward(q, k, v, keyPadding, out, lse, dout, dq, dk, dv, batch, heads, tq, tk, d, scale, causal);
  }

  // ---------------------------------------------------------------- vector quantization, optimiser

  @Override
  public void vqNearest(Buffer x, Buffer codebook, Buffer idx, Buffer dist, int n, int k, int d) {
    if (f32(x, codebook, dist)) vq.nearest(f(x), f(codebook), ints(idx), f(dist), n, k, d);
    else super.vqNearest(x, codebook, idx, dist, n, k, d);
  }

  @Override
  public void adamStep(Buffer param, Buffer grad, Buffer m, Buffer v, int n, double lr, double beta1, double beta2,
      double eps, double weightDecay, int step, double gradScale) {
    if (f32(param, grad, m, v)) adam.step(f(param), f(grad), f(m), f(v), n, lr, beta1, beta2, eps, weightDecay, step, gradScale);
    else super.adamStep(param, grad, m, v, n, lr, beta1, beta2, eps, weightDecay, step, gradScale);
  }
}
