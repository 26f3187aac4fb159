package org.cartengine.engine.backend.device;

import static org.cartengine.engine.backend.device.DeviceBackend.k;
import static org.cartengine.engine.backend.device.LaunchGeometry.BLOCK_THREADS;
import static org.cartengine.engine.backend.device.LaunchGeometry.GEMM_RB_TILE;
import static org.cartengine.engine.backend.device.LaunchGeometry.GEMM_TILED_TILE;
import static org.cartengine.engine.backend.device.LaunchGeometry.tiles;

import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Buffer;

/**
 * The launches of kernels/src/main/kernels/gemm.cu: batched strided GEMM: the portable tiled kernel, the register-
 * blocked 128x128 kernel and the TF32 tensor-core kernel.
 */
final class GemmLaunches {
  /** The kernel family, compiled from kernels/src/main/kernels/gemm.cu. */
  private static final String FAMILY = "gemm";

  private final DeviceBackend dev;

  GemmLaunches(DeviceBackend dev) {
    this.dev = dev;
  }

  void gemm(boolean transA, boolean transB, int batch, int m, int n, int k, double alpha,
      Buffer a, int aOff, int strideA, int lda, Buffer b, int bOff, int strideB, int ldb,
      double beta, Buffer c, int cOff, int strideC, int ldc) {
    DType dt = dev.floatType(c, "gemm");
    dev.own(a, "gemm");
    dev.own(b, "gemm");
    if (batch <= 0 || m <= 0 || n <= 0) return;
    String v = dev.gemmVariant();
    if (dt == DType.F64) v = "tiled";
    else if (v.equals("tf32") && !dev.hasTf32Gemm()) v = "rb128";
    else if (v.equals("auto")) v = m >= 64 && n >= 64 ? "rb128" : "tiled";
    int tile = v.equals("tiled") ? GEMM_TILED_TILE : GEMM_RB_TILE;
    long tiles = (long) ((m + tile - 1) / tile) * ((n + tile - 1) / tile);
    // Launch at most this many batches at once so the 1-D grid stays small; later ones go through the offsets.
    int perLaunch = (int) Math.max(1, Math.min(batch, (1L << 30) / tiles));
    for (int p0 = 0; p0 < batch; p0 += perLaunch) {
      int nb = Math.min(perLaunch, batch - p0);
      int blocks = (int) (tiles * nb);
      int ao = aOff + p0 * strideA, bo = bOff + p0 * strideB, co = cOff + p0 * strideC;
      if (v.equals("tiled")) {
        dev.launch(FAMILY, k("gemm_tiled", dt), dt, blocks, BLOCK_THREADS, a, ao, strideA, lda, transA ? 1 : 0, b, bo, strideB, ldb, transB ? 1 : 0,
            c, co, strideC, ldc, m, n, k, alpha, beta, nb);
      } else {
        int vec = gemmVecFlags(transA, transB, nb, m, n, k, ao, strideA, lda, bo, strideB, ldb, co, strideC, ldc);
        dev.launch(FAMILY, v.equals("tf32") ? "gemm_tf32_f32" : "gemm_rb128_f32", DType.F32, blocks, BLOCK_THREADS, a, ao, strideA, lda, transA ? 1 : 0,
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
}
