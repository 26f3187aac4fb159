package org.cartengine.engine.backend.device;

import static org.cartengine.engine.backend.device.DeviceBackend.k;
import static org.cartengine.engine.backend.device.DeviceBackend.rowThreads;
import static org.cartengine.engine.backend.device.LaunchGeometry.BLOCK_THREADS;
import static org.cartengine.engine.backend.device.LaunchGeometry.COL_TILE;
import static org.cartengine.engine.backend.device.LaunchGeometry.tiles;

import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Buffer;

/**
 * The launches of kernels/src/main/kernels/layernorm.cu: layer norm forward and backward (dx per row; dgamma,
 * dbeta as two-step column sums).
 */
final class LayerNormLaunches {
  /** The kernel family, compiled from kernels/src/main/kernels/layernorm.cu. */
  private static final String FAMILY = "layernorm";

  private final DeviceBackend dev;

  LayerNormLaunches(DeviceBackend dev) {
    this.dev = dev;
  }

  void layerNorm(Buffer x, Buffer gamma, Buffer beta, Buffer y, Buffer mean, Buffer rstd, int rows, int cols, double eps) {
    DType dt = dev.floatType(x, "layerNorm");
    dev.own(gamma, "layerNorm");
    dev.own(beta, "layerNorm");
    dev.own(y, "layerNorm");
    dev.own(mean, "layerNorm");
    dev.own(rstd, "layerNorm");
    if (rows <= 0 || cols <= 0) return;
    dev.launch(FAMILY, k("layernorm_fwd", dt), dt, dev.rowBlocks(rows), rowThreads(cols), x, gamma, beta, y, mean, rstd, rows, cols, eps);
  }

  void layerNormBackward(Buffer x, Buffer gamma, Buffer mean, Buffer rstd, Buffer dy, Buffer dx, Buffer dgamma, Buffer dbeta, int rows, int cols) {
    DType dt = dev.floatType(x, "layerNormBackward");
    for (Buffer b : new Buffer[] {gamma, mean, rstd, dy, dx, dgamma, dbeta}) dev.own(b, "layerNormBackward");
    if (cols <= 0) return;
    if (rows <= 0) {
      dev.fill(dgamma, 0, cols, 0);
      dev.fill(dbeta, 0, cols, 0);
      return;
    }
    dev.launch(FAMILY, k("layernorm_bwd_dx", dt), dt, dev.rowBlocks(rows), rowThreads(cols), x, gamma, mean, rstd, dy, dx, rows, cols);
    // dgamma, dbeta: column sums over rows, in chunks of rows (parallel over chunks), then over the chunks.
    int rowsPerChunk = Math.max(64, (rows + 255) / 256);
    int chunks = (rows + rowsPerChunk - 1) / rowsPerChunk;
    int colTiles = (int) tiles(cols, COL_TILE);
    try (Buffer part = dev.newBuffer(dt, 2 * chunks * cols)) {
      dev.launch(FAMILY, k("layernorm_bwd_params_partial", dt), dt, (int) Math.min((long) colTiles * chunks, 64L * dev.maxBlocks()), BLOCK_THREADS,
          x, mean, rstd, dy, part, rows, cols, rowsPerChunk);
      dev.launch(FAMILY, k("layernorm_bwd_params_finish", dt), dt, dev.blocksFor(cols, BLOCK_THREADS), BLOCK_THREADS, part, dgamma, dbeta, chunks, cols);
    }
  }
}
