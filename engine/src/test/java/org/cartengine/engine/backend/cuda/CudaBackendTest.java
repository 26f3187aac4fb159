package org.cartengine.engine.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.cartengine.engine.DType;
import org.cartengine.engine.backend.BackendUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The CUDA backend against the reference backend (BackendCheck) on F32 and F64, and its allocator's size
 * classes. The parity part is skipped, with the reason printed, where there is no CUDA device or the build had
 * no nvcc; bench/gpu-check.sh runs the same checks on a GPU machine.
 */
class CudaBackendTest {
  private static BackendUnderTest<CudaBackend> device;

  @BeforeAll
  static void open() {
    device = new BackendUnderTest<>("cuda", CudaBackend::new);
  }

  @AfterAll
  static void close() {
    device.close();
  }

  private static Stream<DynamicTest> parity(DType dt) {
    return device.parity(dt, 7);
  }

  @TestFactory
  Stream<DynamicTest> parityF32() {
    return parity(DType.F32);
  }

  @TestFactory
  Stream<DynamicTest> parityF64() {
    return parity(DType.F64);
  }

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
