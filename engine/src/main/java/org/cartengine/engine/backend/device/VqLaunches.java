package org.cartengine.engine.backend.device;

import static org.cartengine.engine.backend.device.DeviceBackend.k;
import static org.cartengine.engine.backend.device.LaunchGeometry.BLOCK_THREADS;
import static org.cartengine.engine.backend.device.LaunchGeometry.VQ_ROWS;
import static org.cartengine.engine.backend.device.LaunchGeometry.tiles;

import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Buffer;

/**
 * The launches of kernels/src/main/kernels/vq.cu: nearest codebook row (vector quantization), fused distance and
 * argmin.
 */
final class VqLaunches {
  /** The kernel family, compiled from kernels/src/main/kernels/vq.cu. */
  private static final String FAMILY = "vq";

  private final DeviceBackend dev;

  VqLaunches(DeviceBackend dev) {
    this.dev = dev;
  }

  void vqNearest(Buffer x, Buffer codebook, Buffer idx, Buffer dist, int n, int k, int d) {
    DType dt = dev.floatType(x, "vqNearest");
    dev.own(codebook, "vqNearest");
    dev.own(idx, "vqNearest");
    dev.own(dist, "vqNearest");
    if (n <= 0) return;
    dev.launch(FAMILY, k("vq_nearest", dt), dt, (int) Math.min(tiles(n, VQ_ROWS), 64L * dev.maxBlocks()), BLOCK_THREADS, x, codebook, idx, dist, n, k, d);
  }
}
