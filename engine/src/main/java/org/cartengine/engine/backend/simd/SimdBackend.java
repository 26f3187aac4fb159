package org.cartengine.engine.backend.simd;

import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Buffer;
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
  }

  @Override
  public String name() {
    return "simd";
  }

  @Override
  public String device() {
    return "CPU (" + (simd ? "Vector API " + bits + "-bit, " + Vec.L + " floats" : "SIMD off, scalar loops") + ", " + par.threads + " threads)";
  }

  /** True when the vector kernels run (false with cart.simd=off). */
  public boolean simdEnabled() {
    return simd;
  }

  public int threads() {
    return par.threads;
  }

  private static float[] f(Buffer b) {
    return r(b).f;
  }

  private static boolean f32(Buffer b) {
    return b.dtype() == DType.F32;
  }

  // ---------------------------------------------------------------- matmul

  @Override
  public void gemm(boolean transA, boolean transB, int batch, int m, int n, int k, double alpha,
      Buffer a, int aOff, int strideA, int lda, Buffer b, int bOff, int strideB, int ldb,
      double beta, Buffer c, int cOff, int strideC, int ldc) {
    if (!f32(c)) {
      super.gemm(transA, transB, batch, m, n, k, alpha, a, aOff, strideA, lda, b, bOff, strideB, ldb, beta, c, cOff, strideC, ldc);
      return;
    }
    gemm.gemm(transA, transB, batch, m, n, k, (float) alpha, f(a), aOff, strideA, lda, f(b), bOff, strideB, ldb,
        (float) beta, f(c), cOff, strideC, ldc);
  }
}
