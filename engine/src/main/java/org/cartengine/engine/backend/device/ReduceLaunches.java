package org.cartengine.engine.backend.device;

import static org.cartengine.engine.backend.device.DeviceBackend.k;
import static org.cartengine.engine.backend.device.DeviceBackend.rowThreads;
import static org.cartengine.engine.backend.device.LaunchGeometry.BLOCK_THREADS;
import static org.cartengine.engine.backend.device.LaunchGeometry.COL_TILE;
import static org.cartengine.engine.backend.device.LaunchGeometry.tiles;

import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Buffer;
import org.cartengine.engine.backend.ReduceOp;

/**
 * The launches of kernels/src/main/kernels/reduce.cu: sum and max + argmax over the middle axis of [outer, len,
 * inner], max backward, sum of squares.
 */
final class ReduceLaunches {
  /** The kernel family, compiled from kernels/src/main/kernels/reduce.cu. */
  private static final String FAMILY = "reduce";

  private final DeviceBackend dev;

  ReduceLaunches(DeviceBackend dev) {
    this.dev = dev;
  }

  private Buffer sumSquaresScratch;

  void reduce(ReduceOp op, Buffer x, Buffer out, Buffer argmax, int outer, int len, int inner) {
    DType dt = dev.floatType(x, "reduce " + op);
    dev.own(out, "reduce");
    dev.own(argmax, "reduce");
    if (outer <= 0 || inner <= 0) return;
    int code = op == ReduceOp.SUM ? 0 : 1;
    if (inner == 1) {
      if (op == ReduceOp.SUM) dev.launch(FAMILY, k("reduce_sum_rows", dt), dt, dev.rowBlocks(outer), rowThreads(len), x, out, outer, len);
      else dev.launch(FAMILY, k("reduce_max_rows", dt), dt, dev.rowBlocks(outer), rowThreads(len), x, out, argmax, outer, len);
    } else {
      long colTiles = outer * tiles(inner, COL_TILE);
      dev.launch(FAMILY, k("reduce_cols", dt), dt, (int) Math.min(colTiles, 64L * dev.maxBlocks()), BLOCK_THREADS, x, out, argmax, outer, len, inner, code);
    }
  }

  void maxBackward(Buffer dout, Buffer argmax, Buffer dx, int outer, int len, int inner) {
    DType dt = dev.floatType(dx, "maxBackward");
    dev.own(dout, "maxBackward");
    dev.own(argmax, "maxBackward");
    long total = (long) outer * len * inner;
    if (total <= 0) return;
    dev.launch(FAMILY, k("max_bwd", dt), dt, dev.blocksFor(total, BLOCK_THREADS), BLOCK_THREADS, dout, argmax, dx, outer, len, inner);
  }

  synchronized double sumSquares(Buffer x, int n) {  // one scratch buffer per backend
    return sumSquares(new Buffer[] {x}, new int[] {n});
  }

  /** Every buffer's partial sums into one scratch, then one read (one synchronisation) for all of them. */
  synchronized double sumSquares(Buffer[] xs, int[] ns) {
    DType acc = dev.deviceHasF64() ? DType.F64 : DType.F32;
    int[] blocks = new int[xs.length];
    int total = 0;
    for (int i = 0; i < xs.length; i++) {
      dev.floatType(xs[i], "sumSquares");
      // 1,024 blocks saturate a large GPU for one big buffer; gradients are many small buffers, each gets what it needs.
      blocks[i] = ns[i] <= 0 ? 0 : Math.min(dev.blocksFor(ns[i], BLOCK_THREADS), 1024);
      total += blocks[i];
    }
    if (total == 0) return 0;
    if (sumSquaresScratch == null || sumSquaresScratch.isClosed() || sumSquaresScratch.dtype() != acc || sumSquaresScratch.length() < total) {
      if (sumSquaresScratch != null) sumSquaresScratch.close();
      sumSquaresScratch = dev.newBuffer(acc, Math.max(1024, total));
    }
    int off = 0;
    for (int i = 0; i < xs.length; i++) {
      if (blocks[i] == 0) continue;
      DType dt = xs[i].dtype();
      dev.launch(FAMILY, k("sum_squares", dt), dt, blocks[i], BLOCK_THREADS, xs[i], sumSquaresScratch, ns[i], off);
      off += blocks[i];
    }
    double s = 0;
    if (acc == DType.F64) {
      double[] part = new double[total];
      dev.read(sumSquaresScratch, 0, part, 0, total);
      for (double v : part) s += v;
    } else {
      float[] part = new float[total];
      dev.read(sumSquaresScratch, 0, part, 0, total);
      for (float v : part) s += v;
    }
    return s;
  }
}
