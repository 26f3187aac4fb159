package org.cartengine.engine.backend.device;

import static org.cartengine.engine.backend.device.DeviceBackend.k;
import static org.cartengine.engine.backend.device.LaunchGeometry.BLOCK_THREADS;

import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Buffer;

/**
 * The launches of kernels/src/main/kernels/embedding.cu: embedding gather and scatter-add.
 */
final class EmbeddingLaunches {
  /** The kernel family, compiled from kernels/src/main/kernels/embedding.cu. */
  private static final String FAMILY = "embedding";

  private final DeviceBackend dev;

  EmbeddingLaunches(DeviceBackend dev) {
    this.dev = dev;
  }

  void gather(Buffer table, Buffer idx, Buffer out, int n, int dim, int vocab) {
    DType dt = dev.floatType(table, "gather");
    dev.own(idx, "gather");
    dev.own(out, "gather");
    long total = (long) n * dim;
    if (total <= 0) return;
    dev.launch(FAMILY, k("embedding_gather", dt), dt, dev.blocksFor(total, BLOCK_THREADS), BLOCK_THREADS, table, idx, out, n, dim, vocab);
  }

  void scatterAdd(Buffer dout, Buffer idx, Buffer dtable, int n, int dim, int vocab) {
    DType dt = dev.floatType(dtable, "scatterAdd");
    dev.own(dout, "scatterAdd");
    dev.own(idx, "scatterAdd");
    long total = (long) n * dim;
    if (total <= 0) return;
    dev.launch(FAMILY, k("embedding_scatter_add", dt), dt, dev.blocksFor(total, BLOCK_THREADS), BLOCK_THREADS, dout, idx, dtable, n, dim, vocab);
  }
}
