package org.cartengine.engine.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The CUDA allocator's size classes, which need no device. The CUDA backend's parity with the reference is the
 * one parity suite's (engine/src/test/.../backend/BackendParityTest, skipped with its reason where there is no CUDA device or the build
 * had no nvcc; bench/gpu-check.sh runs the same list on a GPU machine).
 */
class CudaBackendTest {

  @Test
  void sizeClassesWasteAtMostAQuarter() {
    assertEquals(256, CudaAllocator.sizeClass(1));
    assertEquals(256, CudaAllocator.sizeClass(256));
    assertEquals(320, CudaAllocator.sizeClass(257));
    assertEquals(512, CudaAllocator.sizeClass(512));
    assertEquals(1L << 30, CudaAllocator.sizeClass(1L << 30));
    java.util.Random r = new java.util.Random(1);
    for (int i = 0; i < 100_000; i++) {
      long bytes = 1 + (r.nextLong() >>> (24 + r.nextInt(39)));  // up to 2^40
      long c = CudaAllocator.sizeClass(bytes);
      assertTrue(c >= bytes && (c <= 256 || c <= bytes * 1.25 + 1), bytes + " -> " + c);
      assertEquals(c, CudaAllocator.sizeClass(c), "a class is its own class");
    }
  }
}
