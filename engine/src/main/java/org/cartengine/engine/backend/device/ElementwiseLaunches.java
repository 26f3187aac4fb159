package org.cartengine.engine.backend.device;

import static org.cartengine.engine.backend.device.DeviceBackend.k;
import static org.cartengine.engine.backend.device.LaunchGeometry.BLOCK_THREADS;

import java.util.Map;
import org.cartengine.engine.DType;
import org.cartengine.engine.backend.BinaryOp;
import org.cartengine.engine.backend.Buffer;
import org.cartengine.engine.backend.UnaryOp;

/**
 * The launches of kernels/src/main/kernels/elementwise.cu: fill, cast, strided copy, axpy, unary and binary ops
 * (forward, backward), where, the sigmoid gate and dropout.
 */
final class ElementwiseLaunches {
  /** The kernel family, compiled from kernels/src/main/kernels/elementwise.cu. */
  private static final String FAMILY = "elementwise";

  private final DeviceBackend dev;

  ElementwiseLaunches(DeviceBackend dev) {
    this.dev = dev;
  }

  void fill(Buffer dst, int off, int n, double value) {
    dev.own(dst, "fill");
    if (n <= 0) return;
    if (dst.dtype() == DType.I32) dev.launch(FAMILY, "fill_i32", DType.F32, dev.blocksFor(n, BLOCK_THREADS), BLOCK_THREADS, dst, off, n, (int) value);
    else dev.launch(FAMILY, k("fill", dst.dtype()), dst.dtype(), dev.blocksFor(n, BLOCK_THREADS), BLOCK_THREADS, dst, off, n, value);
  }

  void cast(Buffer src, Buffer dst, int n) {
    dev.own(src, "cast");
    dev.own(dst, "cast");
    if (n <= 0) return;
    DType s = src.dtype(), d = dst.dtype();
    int blocks = dev.blocksFor(n, BLOCK_THREADS);
    if (s == d) {
      dev.copyStrided(src, 0, new int[] {1}, dst, 0, new int[] {1}, new int[] {n}, false);
    } else if (s == DType.I32) {
      dev.launch(FAMILY, k("cast_from_i32", d), d, blocks, BLOCK_THREADS, src, dst, n);
    } else if (d == DType.I32) {
      dev.launch(FAMILY, k("cast_to_i32", s), s, blocks, BLOCK_THREADS, src, dst, n);
    } else if (s == DType.F32) {
      dev.launch(FAMILY, "cast_f32_to_f64", DType.F64, blocks, BLOCK_THREADS, src, dst, n);
    } else {
      dev.launch(FAMILY, "cast_f64_to_f32", DType.F64, blocks, BLOCK_THREADS, src, dst, n);
    }
  }

  void copyStrided(Buffer src, int srcOff, int[] srcStrides, Buffer dst, int dstOff, int[] dstStrides, int[] shape, boolean accumulate) {
    dev.own(src, "copyStrided");
    dev.own(dst, "copyStrided");
    if (src.dtype() != dst.dtype()) throw new IllegalArgumentException("copyStrided: dtypes differ (" + src.dtype() + " -> " + dst.dtype() + ")");
    Layout layout = Layout.of(shape, srcStrides, dstStrides);
    if (layout.total() == 0) return;
    DType dt = src.dtype();
    String kernel = dt == DType.I32 ? "copy_strided_i32" : k("copy_strided", dt);
    DType program = dt == DType.I32 ? DType.F32 : dt;
    layout.blocks(blk -> {
      int total = (int) blk.layout().total();
      dev.launch(FAMILY, kernel, program, dev.blocksFor(total, BLOCK_THREADS), BLOCK_THREADS,
          src, srcOff + blk.offA(), dst, dstOff + blk.offB(), blk.layout().struct(), total, accumulate ? 1 : 0);
    });
  }

  void axpy(double alpha, Buffer x, Buffer y, int n) {
    DType dt = dev.floatType(y, "axpy");
    dev.own(x, "axpy");
    if (n <= 0) return;
    dev.launch(FAMILY, k("axpy", dt), dt, dev.blocksFor(n, BLOCK_THREADS), BLOCK_THREADS, alpha, x, y, n);
  }

  void unary(UnaryOp op, double param, Buffer x, Buffer y, int n) {
    DType dt = dev.floatType(x, "unary " + op);
    dev.own(y, "unary " + op);
    if (n <= 0) return;
    dev.launch(FAMILY, k("unary_fwd", dt), dt, dev.blocksFor(n, BLOCK_THREADS), BLOCK_THREADS, code(op), param, x, y, n);
  }

  void unaryBackward(UnaryOp op, double param, Buffer x, Buffer y, Buffer dy, Buffer dx, int n) {
    DType dt = dev.floatType(x, "unaryBackward " + op);
    dev.own(y, "unaryBackward");
    dev.own(dy, "unaryBackward");
    dev.own(dx, "unaryBackward");
    if (n <= 0) return;
    dev.launch(FAMILY, k("unary_bwd", dt), dt, dev.blocksFor(n, BLOCK_THREADS), BLOCK_THREADS, code(op), param, x, y, dy, dx, n);
  }

  void binary(BinaryOp op, Buffer a, int[] aStrides, Buffer b, int[] bStrides, Buffer out, int[] outShape) {
    DType dt = dev.floatType(out, "binary " + op);
    dev.own(a, "binary");
    dev.own(b, "binary");
    Layout layout = Layout.of(outShape, aStrides, bStrides);
    if (layout.total() == 0) return;
    layout.blocks(blk -> {
      int total = (int) blk.layout().total();
      dev.launch(FAMILY, k("binary_fwd", dt), dt, dev.blocksFor(total, BLOCK_THREADS), BLOCK_THREADS, code(op),
          a, blk.offA(), b, blk.offB(), out, blk.offLinear(), blk.layout().struct(), total);
    });
  }

  void binaryBackward(BinaryOp op, int which, Buffer a, int[] aStrides, Buffer b, int[] bStrides, Buffer dout, Buffer g, int[] outShape) {
    DType dt = dev.floatType(g, "binaryBackward " + op);
    dev.own(a, "binaryBackward");
    dev.own(b, "binaryBackward");
    dev.own(dout, "binaryBackward");
    Layout layout = Layout.of(outShape, aStrides, bStrides);
    if (layout.total() == 0) return;
    layout.blocks(blk -> {
      int total = (int) blk.layout().total();
      dev.launch(FAMILY, k("binary_bwd", dt), dt, dev.blocksFor(total, BLOCK_THREADS), BLOCK_THREADS, code(op), which,
          a, blk.offA(), b, blk.offB(), dout, g, blk.offLinear(), blk.layout().struct(), total);
    });
  }

  void where(Buffer cond, Buffer a, Buffer b, Buffer out, int n) {
    DType dt = dev.floatType(out, "where");
    dev.own(cond, "where");
    dev.own(a, "where");
    dev.own(b, "where");
    if (n <= 0) return;
    dev.launch(FAMILY, k("where", dt), dt, dev.blocksFor(n, BLOCK_THREADS), BLOCK_THREADS, cond, a, b, out, n);
  }

  void sigmoidGate(Buffer a, Buffer b, Buffer out, int n) {
    DType dt = dev.floatType(out, "sigmoidGate");
    dev.own(a, "sigmoidGate");
    dev.own(b, "sigmoidGate");
    if (n <= 0) return;
    dev.launch(FAMILY, k("sigmoid_gate_fwd", dt), dt, dev.blocksFor(n, BLOCK_THREADS), BLOCK_THREADS, a, b, out, n);
  }

  void sigmoidGateBackward(Buffer a, Buffer b, Buffer dout, Buffer da, Buffer db, int n) {
    DType dt = dev.floatType(a, "sigmoidGateBackward");
    dev.own(b, "sigmoidGateBackward");
    dev.own(dout, "sigmoidGateBackward");
    dev.own(da, "sigmoidGateBackward");
    dev.own(db, "sigmoidGateBackward");
    if (n <= 0 || (da == null && db == null)) return;
    dev.launch(FAMILY, k("sigmoid_gate_bwd", dt), dt, dev.blocksFor(n, BLOCK_THREADS), BLOCK_THREADS, a, b, dout, da, db, n);
  }

  void dropout(Buffer x, Buffer y, int n, double p, long seed) {
    DType dt = dev.floatType(x, "dropout");
    dev.own(y, "dropout");
    if (n <= 0) return;
    // Dropout.keep(seed, i, p) <=> (hash >>> 8) / 2^24 >= p <=> (hash >>> 8) >= ceil(p * 2^24): exact in integers.
    double threshold = Math.ceil(p * 16777216.0);
    int keepFrom = (int) Math.max(0, Math.min(16777217.0, threshold));
    dev.launch(FAMILY, k("dropout", dt), dt, dev.blocksFor(n, BLOCK_THREADS), BLOCK_THREADS, x, y, n, (int) seed, (int) (seed >>> 32), keepFrom, 1 / (1 - p));
  }

  /** The kernels' op codes: elementwise.cu's U_* and B_* numbers, read from that source by the ops' names. */
  private static final Map<String, Integer> CODES = LaunchGeometry.parse(KernelSources.source("elementwise.cu"));

  static int code(UnaryOp op) {
    Integer c = CODES.get("U_" + op.name());
    if (c == null) throw new IllegalArgumentException("no kernel for unary op " + op);
    return c;
  }

  static int code(BinaryOp op) {
    Integer c = CODES.get("B_" + op.name());
    if (c == null) throw new IllegalArgumentException("no kernel for binary op " + op);
    return c;
  }
}
