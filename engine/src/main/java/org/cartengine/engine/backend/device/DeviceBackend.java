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
 * work around it (merging strided axes, bias corrections, the dropout threshold, scratch buffers). A
 * subclass is only an allocator, a copier and a launcher (tinygrad's device shape).
 *
 * <p>Launch convention: {@link #launch} takes a 1-D grid of {@code blocks} blocks of {@code threads}
 * threads; arguments are {@link Buffer} (or {@code null}: a null pointer), {@link Integer}, {@link Double}
 * (the kernel's {@code real}: float in the f32 program, double in the f64 one) or {@code int[]} (a struct of
 * ints passed by value, the layout8 of common.h). Kernel names carry the program's suffix (_f32/_f64).
 */
public abstract class DeviceBackend implements Backend {

  /** Threads per block of the elementwise (grid-stride) kernels. */
  protected static final int THREADS = 256;

  /** Which GEMM kernel F32 products use: auto (rb128 when both m, n >= 64, else tiled), tiled, rb128, tf32. */
  private volatile String gemmVariant = System.getProperty("cart.gemm", "auto");

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

  /** Threads for one block per row of {@code cols}: a power of two in [32, 256]. */
  protected static int rowThreads(int cols) {
    int t = 32;
    while (t < cols && t < 256) t <<= 1;
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

  private static void checkRange(Buffer b, int off, int n, String op) {
    if (off < 0 || n < 0 || (long) off + n > b.length())
      throw new IndexOutOfBoundsException(op + ": range [" + off + ", " + ((long) off + n) + ") outside a buffer of " + b.length());
  }

  // Host arrays of another type than the buffer are converted on the host, as the reference backend does.

  @Override
  public void write(Buffer dst, int dstOff, float[] src, int srcOff, int n) {
    own(dst, "write");
    checkRange(dst, dstOff, n, "write");
    if (n == 0) return;
    switch (dst.dtype()) {
      case F32: writeRaw(dst, dstOff, src, srcOff, n); break;
      case F64: {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = src[srcOff + i];
        writeRaw(dst, dstOff, d, 0, n);
        break;
      }
      default: {
        int[] d = new int[n];
        for (int i = 0; i < n; i++) d[i] = (int) src[srcOff + i];
        writeRaw(dst, dstOff, d, 0, n);
      }
    }
  }

  @Override
  public void write(Buffer dst, int dstOff, double[] src, int srcOff, int n) {
    own(dst, "write");
    checkRange(dst, dstOff, n, "write");
    if (n == 0) return;
    switch (dst.dtype()) {
      case F64: writeRaw(dst, dstOff, src, srcOff, n); break;
      case F32: {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = (float) src[srcOff + i];
        writeRaw(dst, dstOff, d, 0, n);
        break;
      }
      default: {
        int[] d = new int[n];
        for (int i = 0; i < n; i++) d[i] = (int) src[srcOff + i];
        writeRaw(dst, dstOff, d, 0, n);
      }
    }
  }

  @Override
  public void write(Buffer dst, int dstOff, int[] src, int srcOff, int n) {
    own(dst, "write");
    checkRange(dst, dstOff, n, "write");
    if (n == 0) return;
    switch (dst.dtype()) {
      case I32: writeRaw(dst, dstOff, src, srcOff, n); break;
      case F32: {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = src[srcOff + i];
        writeRaw(dst, dstOff, d, 0, n);
        break;
      }
      default: {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = src[srcOff + i];
        writeRaw(dst, dstOff, d, 0, n);
      }
    }
  }

  @Override
  public void read(Buffer src, int srcOff, float[] dst, int dstOff, int n) {
    own(src, "read");
    checkRange(src, srcOff, n, "read");
    if (n == 0) return;
    switch (src.dtype()) {
      case F32: readRaw(src, srcOff, dst, dstOff, n); break;
      case F64: {
        double[] d = new double[n];
        readRaw(src, srcOff, d, 0, n);
        for (int i = 0; i < n; i++) dst[dstOff + i] = (float) d[i];
        break;
      }
      default: {
        int[] d = new int[n];
        readRaw(src, srcOff, d, 0, n);
        for (int i = 0; i < n; i++) dst[dstOff + i] = d[i];
      }
    }
  }

  @Override
  public void read(Buffer src, int srcOff, double[] dst, int dstOff, int n) {
    own(src, "read");
    checkRange(src, srcOff, n, "read");
    if (n == 0) return;
    switch (src.dtype()) {
      case F64: readRaw(src, srcOff, dst, dstOff, n); break;
      case F32: {
        float[] d = new float[n];
        readRaw(src, srcOff, d, 0, n);
        for (int i = 0; i < n; i++) dst[dstOff + i] = d[i];
        break;
      }
      default: {
        int[] d = new int[n];
        readRaw(src, srcOff, d, 0, n);
        for (int i = 0; i < n; i++) dst[dstOff + i] = d[i];
      }
    }
  }

  @Override
  public void read(Buffer src, int srcOff, int[] dst, int dstOff, int n) {
    own(src, "read");
    checkRange(src, srcOff, n, "read");
    if (n == 0) return;
    switch (src.dtype()) {
      case I32: readRaw(src, srcOff, dst, dstOff, n); break;
      case F32: {
        float[] d = new float[n];
        readRaw(src, srcOff, d, 0, n);
        for (int i = 0; i < n; i++) dst[dstOff + i] = (int) d[i];
        break;
      }
      default: {
        double[] d = new double[n];
        readRaw(src, srcOff, d, 0, n);
        for (int i = 0; i < n; i++) dst[dstOff + i] = (int) d[i];
      }
    }
  }

  @Override
  public void fill(Buffer dst, int off, int n, double value) {
    own(dst, "fill");
    if (n <= 0) return;
    if (dst.dtype() == DType.I32) launch("elementwise", "fill_i32", DType.F32, blocksFor(n, THREADS), THREADS, dst, off, n, (int) value);
    else launch("elementwise", k("fill", dst.dtype()), dst.dtype(), blocksFor(n, THREADS), THREADS, dst, off, n, value);
  }

  @Override
  public void cast(Buffer src, Buffer dst, int n) {
    own(src, "cast");
    own(dst, "cast");
    if (n <= 0) return;
    DType s = src.dtype(), d = dst.dtype();
    int blocks = blocksFor(n, THREADS);
    if (s == d) {
      copyStrided(src, 0, new int[] {1}, dst, 0, new int[] {1}, new int[] {n}, false);
    } else if (s == DType.I32) {
      launch("elementwise", k("cast_from_i32", d), d, blocks, THREADS, src, dst, n);
    } else if (d == DType.I32) {
      launch("elementwise", k("cast_to_i32", s), s, blocks, THREADS, src, dst, n);
    } else if (s == DType.F32) {
      launch("elementwise", "cast_f32_to_f64", DType.F64, blocks, THREADS, src, dst, n);
    } else {
      launch("elementwise", "cast_f64_to_f32", DType.F64, blocks, THREADS, src, dst, n);
    }
  }

  @Override
  public void copyStrided(Buffer src, int srcOff, int[] srcStrides, Buffer dst, int dstOff, int[] dstStrides, int[] shape, boolean accumulate) {
    own(src, "copyStrided");
    own(dst, "copyStrided");
    if (src.dtype() != dst.dtype()) throw new IllegalArgumentException("copyStrided: dtypes differ (" + src.dtype() + " -> " + dst.dtype() + ")");
    Layout layout = Layout.of(shape, srcStrides, dstStrides);
    if (layout.total() == 0) return;
    DType dt = src.dtype();
    String kernel = dt == DType.I32 ? "copy_strided_i32" : k("copy_strided", dt);
    DType program = dt == DType.I32 ? DType.F32 : dt;
    layout.blocks(blk -> {
      int total = (int) blk.layout().total();
      launch("elementwise", kernel, program, blocksFor(total, THREADS), THREADS,
          src, srcOff + blk.offA(), dst, dstOff + blk.offB(), blk.layout().struct(), total, accumulate ? 1 : 0);
    });
  }

  @Override
  public void axpy(double alpha, Buffer x, Buffer y, int n) {
    DType dt = floatType(y, "axpy");
    own(x, "axpy");
    if (n <= 0) return;
    launch("elementwise", k("axpy", dt), dt, blocksFor(n, THREADS), THREADS, alpha, x, y, n);
  }

  private Buffer sumSquaresScratch;

  @Override
  public synchronized double sumSquares(Buffer x, int n) {  // one scratch buffer per backend
    DType dt = floatType(x, "sumSquares");
    if (n <= 0) return 0;
    int blocks = blocksFor(n, THREADS);
    blocks = Math.min(blocks, 1024);
    DType acc = deviceHasF64() ? DType.F64 : DType.F32;
    if (sumSquaresScratch == null || sumSquaresScratch.isClosed() || sumSquaresScratch.dtype() != acc) sumSquaresScratch = newBuffer(acc, 1024);
    launch("reduce", k("sum_squares", dt), dt, blocks, THREADS, x, sumSquaresScratch, n);
    double s = 0;
    if (acc == DType.F64) {
      double[] part = new double[blocks];
      read(sumSquaresScratch, 0, part, 0, blocks);
      for (double v : part) s += v;
    } else {
      float[] part = new float[blocks];
      read(sumSquaresScratch, 0, part, 0, blocks);
      for (float v : part) s += v;
    }
    return s;
  }

  // ---------------------------------------------------------------- matmul

  @Override
  public void gemm(boolean transA, boolean transB, int batch, int m, int n, int k, double alpha,
      Buffer a, int aOff, int strideA, int lda, Buffer b, int bOff, int strideB, int ldb,
      double beta, Buffer c, int cOff, int strideC, int ldc) {
    DType dt = floatType(c, "gemm");
    own(a, "gemm");
    own(b, "gemm");
    if (batch <= 0 || m <= 0 || n <= 0) return;
    String v = gemmVariant;
    if (dt == DType.F64) v = "tiled";
    else if (v.equals("tf32") && !hasTf32Gemm()) v = "rb128";
    else if (v.equals("auto")) v = m >= 64 && n >= 64 ? "rb128" : "tiled";
    int tile = v.equals("tiled") ? 64 : 128;
    long tiles = (long) ((m + tile - 1) / tile) * ((n + tile - 1) / tile);
    // Launch at most this many batches at once so the 1-D grid stays small; later ones go through the offsets.
    int perLaunch = (int) Math.max(1, Math.min(batch, (1L << 30) / tiles));
    for (int p0 = 0; p0 < batch; p0 += perLaunch) {
      int nb = Math.min(perLaunch, batch - p0);
      int blocks = (int) (tiles * nb);
      int ao = aOff + p0 * strideA, bo = bOff + p0 * strideB, co = cOff + p0 * strideC;
      if (v.equals("tiled")) {
        launch("gemm", k("gemm_tiled", dt), dt, blocks, 256, a, ao, strideA, lda, transA ? 1 : 0, b, bo, strideB, ldb, transB ? 1 : 0,
            c, co, strideC, ldc, m, n, k, alpha, beta, nb);
      } else {
        int vec = gemmVecFlags(transA, transB, nb, m, n, k, ao, strideA, lda, bo, strideB, ldb, co, strideC, ldc);
        launch("gemm", v.equals("tf32") ? "gemm_tf32_f32" : "gemm_rb128_f32", DType.F32, blocks, 256, a, ao, strideA, lda, transA ? 1 : 0,
            b, bo, strideB, ldb, transB ? 1 : 0, c, co, strideC, ldc, m, n, k, alpha, beta, nb, vec);
      }
    }
  }

  /**
   * Which operands of the 128x128 kernels may use float4 accesses: every such access must be 16-byte aligned
   * (offsets, strides and leading dimensions multiples of 4 floats) and a group of 4 must lie wholly inside
   * or wholly outside the matrix (the dimension it runs along a multiple of 4).
   */
  static int gemmVecFlags(boolean transA, boolean transB, int batch, int m, int n, int k,
      int aOff, int strideA, int lda, int bOff, int strideB, int ldb, int cOff, int strideC, int ldc) {
    int flags = 0;
    boolean aligned = aOff % 4 == 0 && lda % 4 == 0 && (batch == 1 || strideA % 4 == 0);
    if (aligned && (transA ? m % 4 == 0 : k % 4 == 0)) flags |= 1;
    aligned = bOff % 4 == 0 && ldb % 4 == 0 && (batch == 1 || strideB % 4 == 0);
    if (aligned && (transB ? k % 4 == 0 : n % 4 == 0)) flags |= 2;
    if (cOff % 4 == 0 && ldc % 4 == 0 && (batch == 1 || strideC % 4 == 0)) flags |= 4;
    return flags;
  }

  // ---------------------------------------------------------------- elementwise

  /** Kernel op codes (elementwise.cu's U_* numbers), mapped by name so reordering the enum cannot break them. */
  static int code(UnaryOp op) {
    switch (op) {
      case NEG: return 0;
      case EXP: return 1;
      case LOG: return 2;
      case SQRT: return 3;
      case RELU: return 4;
      case GELU: return 5;
      case ELU: return 6;
      case TANH: return 7;
      case SIGMOID: return 8;
      case POW: return 9;
      case ABS: return 10;
      case SQUARE: return 11;
      default: throw new IllegalArgumentException("no kernel for unary op " + op);
    }
  }

  static int code(BinaryOp op) {
    switch (op) {
      case ADD: return 0;
      case SUB: return 1;
      case MUL: return 2;
      case DIV: return 3;
      case MAX: return 4;
      case MIN: return 5;
      default: throw new IllegalArgumentException("no kernel for binary op " + op);
    }
  }

  @Override
  public void unary(UnaryOp op, double param, Buffer x, Buffer y, int n) {
    DType dt = floatType(x, "unary " + op);
    own(y, "unary " + op);
    if (n <= 0) return;
    launch("elementwise", k("unary_fwd", dt), dt, blocksFor(n, THREADS), THREADS, code(op), param, x, y, n);
  }

  @Override
  public void unaryBackward(UnaryOp op, double param, Buffer x, Buffer y, Buffer dy, Buffer dx, int n) {
    DType dt = floatType(x, "unaryBackward " + op);
    own(y, "unaryBackward");
    own(dy, "unaryBackward");
    own(dx, "unaryBackward");
    if (n <= 0) return;
    launch("elementwise", k("unary_bwd", dt), dt, blocksFor(n, THREADS), THREADS, code(op), param, x, y, dy, dx, n);
  }

  @Override
  public void binary(BinaryOp op, Buffer a, int[] aStrides, Buffer b, int[] bStrides, Buffer out, int[] outShape) {
    DType dt = floatType(out, "binary " + op);
    own(a, "binary");
    own(b, "binary");
    Layout layout = Layout.of(outShape, aStrides, bStrides);
    if (layout.total() == 0) return;
    layout.blocks(blk -> {
      int total = (int) blk.layout().total();
      launch("elementwise", k("binary_fwd", dt), dt, blocksFor(total, THREADS), THREADS, code(op),
          a, blk.offA(), b, blk.offB(), out, blk.offLinear(), blk.layout().struct(), total);
    });
  }

  @Override
  public void binaryBackward(BinaryOp op, int which, Buffer a, int[] aStrides, Buffer b, int[] bStrides, Buffer dout, Buffer g, int[] outShape) {
    DType dt = floatType(g, "binaryBackward " + op);
    own(a, "binaryBackward");
    own(b, "binaryBackward");
    own(dout, "binaryBackward");
    Layout layout = Layout.of(outShape, aStrides, bStrides);
    if (layout.total() == 0) return;
    layout.blocks(blk -> {
      int total = (int) blk.layout().total();
      launch("elementwise", k("binary_bwd", dt), dt, blocksFor(total, THREADS), THREADS, code(op), which,
          a, blk.offA(), b, blk.offB(), dout, g, blk.offLinear(), blk.layout().struct(), total);
    });
  }

  @Override
  public void where(Buffer cond, Buffer a, Buffer b, Buffer out, int n) {
    DType dt = floatType(out, "where");
    own(cond, "where");
    own(a, "where");
    own(b, "where");
    if (n <= 0) return;
    launch("elementwise", k("where", dt), dt, blocksFor(n, THREADS), THREADS, cond, a, b, out, n);
  }

  @Override
  public void sigmoidGate(Buffer a, Buffer b, Buffer out, int n) {
    DType dt = floatType(out, "sigmoidGate");
    own(a, "sigmoidGate");
    own(b, "sigmoidGate");
    if (n <= 0) return;
    launch("elementwise", k("sigmoid_gate_fwd", dt), dt, blocksFor(n, THREADS), THREADS, a, b, out, n);
  }

  @Override
  public void sigmoidGateBackward(Buffer a, Buffer b, Buffer dout, Buffer da, Buffer db, int n) {
    DType dt = floatType(a, "sigmoidGateBackward");
    own(b, "sigmoidGateBackward");
    own(dout, "sigmoidGateBackward");
    own(da, "sigmoidGateBackward");
    own(db, "sigmoidGateBackward");
    if (n <= 0 || (da == null && db == null)) return;
    launch("elementwise", k("sigmoid_gate_bwd", dt), dt, blocksFor(n, THREADS), THREADS, a, b, dout, da, db, n);
  }

  @Override
  public void dropout(Buffer x, Buffer y, int n, double p, long seed) {
    DType dt = floatType(x, "dropout");
    own(y, "dropout");
    if (n <= 0) return;
    // Dropout.keep(seed, i, p) <=> (hash >>> 8) / 2^24 >= p <=> (hash >>> 8) >= ceil(p * 2^24): exact in integers.
    double threshold = Math.ceil(p * 16777216.0);
    int keepFrom = (int) Math.max(0, Math.min(16777217.0, threshold));
    launch("elementwise", k("dropout", dt), dt, blocksFor(n, THREADS), THREADS, x, y, n, (int) seed, (int) (seed >>> 32), keepFrom, 1 / (1 - p));
  }

  // ---------------------------------------------------------------- reductions

  @Override
  public void reduce(ReduceOp op, Buffer x, Buffer out, Buffer argmax, int outer, int len, int inner) {
    DType dt = floatType(x, "reduce " + op);
    own(out, "reduce");
    own(argmax, "reduce");
    if (outer <= 0 || inner <= 0) return;
    int code = op == ReduceOp.SUM ? 0 : 1;
    if (inner == 1) {
      if (op == ReduceOp.SUM) launch("reduce", k("reduce_sum_rows", dt), dt, rowBlocks(outer), rowThreads(len), x, out, outer, len);
      else launch("reduce", k("reduce_max_rows", dt), dt, rowBlocks(outer), rowThreads(len), x, out, argmax, outer, len);
    } else {
      long tiles = (long) outer * ((inner + 31) / 32);
      launch("reduce", k("reduce_cols", dt), dt, (int) Math.min(tiles, 64L * maxBlocks()), 256, x, out, argmax, outer, len, inner, code);
    }
  }

  @Override
  public void maxBackward(Buffer dout, Buffer argmax, Buffer dx, int outer, int len, int inner) {
    DType dt = floatType(dx, "maxBackward");
    own(dout, "maxBackward");
    own(argmax, "maxBackward");
    long total = (long) outer * len * inner;
    if (total <= 0) return;
    launch("reduce", k("max_bwd", dt), dt, blocksFor(total, THREADS), THREADS, dout, argmax, dx, outer, len, inner);
  }

  // ---------------------------------------------------------------- rows

  @Override
  public void softmax(Buffer x, Buffer y, int rows, int cols, boolean log) {
    DType dt = floatType(x, "softmax");
    own(y, "softmax");
    if (rows <= 0 || cols <= 0) return;
    launch("softmax", k("softmax_fwd", dt), dt, rowBlocks(rows), rowThreads(cols), x, y, rows, cols, log ? 1 : 0);
  }

  @Override
  public void softmaxBackward(Buffer y, Buffer dy, Buffer dx, int rows, int cols, boolean log) {
    DType dt = floatType(y, "softmaxBackward");
    own(dy, "softmaxBackward");
    own(dx, "softmaxBackward");
    if (rows <= 0 || cols <= 0) return;
    launch("softmax", k("softmax_bwd", dt), dt, rowBlocks(rows), rowThreads(cols), y, dy, dx, rows, cols, log ? 1 : 0);
  }

  @Override
  public void crossEntropy(Buffer logits, Buffer targets, Buffer loss, int rows, int cols, int ignoreIndex, double smoothing) {
    DType dt = floatType(logits, "crossEntropy");
    own(targets, "crossEntropy");
    own(loss, "crossEntropy");
    if (rows <= 0) return;
    launch("softmax", k("cross_entropy_fwd", dt), dt, rowBlocks(rows), rowThreads(cols), logits, targets, loss, rows, cols, ignoreIndex, smoothing);
  }

  @Override
  public void crossEntropyBackward(Buffer logits, Buffer targets, Buffer dloss, Buffer dlogits, int rows, int cols, int ignoreIndex, double smoothing) {
    DType dt = floatType(logits, "crossEntropyBackward");
    own(targets, "crossEntropyBackward");
    own(dloss, "crossEntropyBackward");
    own(dlogits, "crossEntropyBackward");
    if (rows <= 0) return;
    launch("softmax", k("cross_entropy_bwd", dt), dt, rowBlocks(rows), rowThreads(cols), logits, targets, dloss, dlogits, rows, cols, ignoreIndex, smoothing);
  }

  @Override
  public void klDiv(Buffer logP, Buffer logQ, Buffer out, int rows, int cols) {
    DType dt = floatType(logP, "klDiv");
    own(logQ, "klDiv");
    own(out, "klDiv");
    if (rows <= 0) return;
    launch("softmax", k("kl_div_fwd", dt), dt, rowBlocks(rows), rowThreads(cols), logP, logQ, out, rows, cols);
  }

  @Override
  public void klDivBackward(Buffer logP, Buffer logQ, Buffer dout, Buffer dlogP, Buffer dlogQ, int rows, int cols) {
    DType dt = floatType(logP, "klDivBackward");
    own(logQ, "klDivBackward");
    own(dout, "klDivBackward");
    own(dlogP, "klDivBackward");
    own(dlogQ, "klDivBackward");
    long total = (long) rows * cols;
    if (total <= 0 || (dlogP == null && dlogQ == null)) return;
    launch("softmax", k("kl_div_bwd", dt), dt, blocksFor(total, THREADS), THREADS, logP, logQ, dout, dlogP, dlogQ, rows, cols);
  }

  @Override
  public void layerNorm(Buffer x, Buffer gamma, Buffer beta, Buffer y, Buffer mean, Buffer rstd, int rows, int cols, double eps) {
    DType dt = floatType(x, "layerNorm");
    own(gamma, "layerNorm");
    own(beta, "layerNorm");
    own(y, "layerNorm");
    own(mean, "layerNorm");
    own(rstd, "layerNorm");
    if (rows <= 0 || cols <= 0) return;
    launch("layernorm", k("layernorm_fwd", dt), dt, rowBlocks(rows), rowThreads(cols), x, gamma, beta, y, mean, rstd, rows, cols, eps);
  }

  @Override
  public void layerNormBackward(Buffer x, Buffer gamma, Buffer mean, Buffer rstd, Buffer dy, Buffer dx, Buffer dgamma, Buffer dbeta, int rows, int cols) {
    DType dt = floatType(x, "layerNormBackward");
    for (Buffer b : new Buffer[] {gamma, mean, rstd, dy, dx, dgamma, dbeta}) own(b, "layerNormBackward");
    if (cols <= 0) return;
    if (rows <= 0) {
      fill(dgamma, 0, cols, 0);
      fill(dbeta, 0, cols, 0);
      return;
    }
    launch("layernorm", k("layernorm_bwd_dx", dt), dt, rowBlocks(rows), rowThreads(cols), x, gamma, mean, rstd, dy, dx, rows, cols);
    // dgamma, dbeta: column sums over rows, in chunks of rows (parallel over chunks), then over the chunks.
    int rowsPerChunk = Math.max(64, (rows + 255) / 256);
    int chunks = (rows + rowsPerChunk - 1) / rowsPerChunk;
    int tiles = (cols + 31) / 32;
    try (Buffer part = newBuffer(dt, 2 * chunks * cols)) {
      launch("layernorm", k("layernorm_bwd_params_partial", dt), dt, (int) Math.min((long) tiles * chunks, 64L * maxBlocks()), 256,
          x, mean, rstd, dy, part, rows, cols, rowsPerChunk);
      launch("layernorm", k("layernorm_bwd_params_finish", dt), dt, blocksFor(cols, THREADS), THREADS, part, dgamma, dbeta, chunks, cols);
    }
  }

  // ---------------------------------------------------------------- embedding

  @Override
  public void gather(Buffer table, Buffer idx, Buffer out, int n, int dim, int vocab) {
    DType dt = floatType(table, "gather");
    own(idx, "gather");
    own(out, "gather");
    long total = (long) n * dim;
    if (total <= 0) return;
    launch("embedding", k("embedding_gather", dt), dt, blocksFor(total, THREADS), THREADS, table, idx, out, n, dim, vocab);
  }

  @Override
  public void scatterAdd(Buffer dout, Buffer idx, Buffer dtable, int n, int dim, int vocab) {
    DType dt = floatType(dtable, "scatterAdd");
    own(dout, "scatterAdd");
    own(idx, "scatterAdd");
    long total = (long) n * dim;
    if (total <= 0) return;
    launch("embedding", k("embedding_scatter_add", dt), dt, blocksFor(total, THREADS), THREADS, dout, idx, dtable, n, dim, vocab);
  }

  // ---------------------------------------------------------------- attention

  /** Query (or key) rows per attention block: attention.cu's AT_BQ / AT_BK. */
  private static int attentionTile(DType dt) {
    return dt == DType.F64 ? 16 : 32;
  }

  private int attentionBlocks(int batch, int heads, int t, int d, DType dt) {
    int tile = attentionTile(dt);
    long blocks = (long) batch * heads * ((t + tile - 1) / tile) * ((d + 63) / 64);
    return (int) Math.min(blocks, 64L * maxBlocks());
  }

  @Override
  public void attention(Buffer q, Buffer k, Buffer v, Buffer keyPadding, Buffer out, Buffer lse,
      int batch, int heads, int tq, int tk, int d, double scale, boolean causal) {
    DType dt = floatType(q, "attention");
    for (Buffer b : new Buffer[] {k, v, keyPadding, out, lse}) own(b, "attention");
    if (batch <= 0 || heads <= 0 || tq <= 0 || d <= 0) return;
    launch("attention", k("attention_fwd", dt), dt, attentionBlocks(batch, heads, tq, d, dt), 256,
        q, k, v, keyPadding, out, lse, batch, heads, tq, tk, d, scale, causal ? 1 : 0);
  }

  @Override
  public void attentionBackward(Buffer q, Buffer k, Buffer v, Buffer keyPadding, Buffer out, Buffer lse, Buffer dout,
      Buffer dq, Buffer dk, Buffer dv, int batch, int heads, int tq, int tk, int d, double scale, boolean causal) {
    DType dt = floatType(q, "attentionBackward");
    for (Buffer b : new Buffer[] {k, v, keyPadding, out, lse, dout, dq, dk, dv}) own(b, "attentionBackward");
    if (batch <= 0 || heads <= 0 || d <= 0) return;
    int rows = batch * heads * tq;
    try (Buffer delta = newBuffer(dt, Math.max(1, rows))) {
      if (rows > 0) {
        launch("attention", k("attention_bwd_delta", dt), dt, (int) Math.min((rows + 7) / 8, 64L * maxBlocks()), 256, out, dout, delta, rows, d);
        launch("attention", k("attention_bwd_dq", dt), dt, attentionBlocks(batch, heads, tq, d, dt), 256,
            q, k, v, keyPadding, lse, delta, dout, dq, batch, heads, tq, tk, d, scale, causal ? 1 : 0);
      }
      if (tk > 0) {
        launch("attention", k("attention_bwd_dkdv", dt), dt, attentionBlocks(batch, heads, tk, d, dt), 256,
            q, k, v, keyPadding, lse, delta, dout, dk, dv, batch, heads, tq, tk, d, scale, causal ? 1 : 0);
      }
    }
  }

  // ---------------------------------------------------------------- vector quantization

  @Override
  public void vqNearest(Buffer x, Buffer codebook, Buffer idx, Buffer dist, int n, int k, int d) {
    DType dt = floatType(x, "vqNearest");
    own(codebook, "vqNearest");
    own(idx, "vqNearest");
    own(dist, "vqNearest");
    if (n <= 0) return;
    launch("vq", k("vq_nearest", dt), dt, (int) Math.min((n + 31) / 32, 64L * maxBlocks()), 256, x, codebook, idx, dist, n, k, d);
  }

  // ---------------------------------------------------------------- optimiser

  @Override
  public void adamStep(Buffer param, Buffer grad, Buffer m, Buffer v, int n, double lr, double beta1, double beta2,
      double eps, double weightDecay, int step, double gradScale) {
    DType dt = floatType(param, "adamStep");
    own(grad, "adamStep");
    own(m, "adamStep");
    own(v, "adamStep");
    if (n <= 0) return;
    double c1 = 1 - Math.pow(beta1, step), c2 = 1 - Math.pow(beta2, step);
    launch("adam", k("adam_step", dt), dt, blocksFor(n, THREADS), THREADS, param, grad, m, v, n, lr, beta1, beta2, eps, weightDecay, c1, c2, gradScale);
  }
}
