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
    DType dt = dev.floatType(x, "sumSquares");
    if (n <= 0) return 0;
    int blocks = dev.blocksFor(n, BLOCK_THREADS);
    blocks = Math.min(blocks, 1024);
    DType acc = dev.deviceHasF64() ? DType.F64 : DType.F32;
    if (sumSquaresScratch == null || sumSquaresScratch.isClosed() || sumSquaresScratch.dtype() != acc) sumSquaresScratch = dev.newBuffer(acc, 1024);
    dev.launch(FAMILY, k("sum_squares", dt), dt, blocks, BLOCK_THREADS, x, sumSquaresScratch, n);
    double s = 0;
    if (acc == DType.F64) {
      double[] part = new double[blocks];
      dev.read(sumSquaresScratch, 0, part, 0, blocks);
      for (double v : part) s += v;
    } else {
      float[] part = new float[blocks];
      dev.read(sumSquaresScratch, 0, part, 0, blocks);
      for (float v : part) s += v;
    }
    return s;
  }
}
