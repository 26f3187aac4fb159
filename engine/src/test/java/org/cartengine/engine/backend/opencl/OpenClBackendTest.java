package org.cartengine.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * Every Backend method of the OpenCL backend against the reference backend (BackendCheck), in F32 and, where
 * the device has doubles, F64. Skipped, with the reason printed, when this machine has no OpenCL platform
 * (CI installs PoCL, a CPU OpenCL driver, so the shared kernel sources run there).
 */
class OpenClBackendTest {
  private static BackendUnderTest<OpenClBackend> device;

  @BeforeAll
  static void open() {
    device = new BackendUnderTest<>("opencl", OpenClBackend::new);
  }

  @AfterAll
  static void close() {
    device.close();
  }

  private static Stream<DynamicTest> parity(DType dt) {
    return device.parity(dt, 42);
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
  void deviceSaysGpuOnlyForAGpu() {
    device.assumeAvailable();
    String d = device.backend.device();
    assertTrue(d.startsWith("OpenCL GPU:") || d.startsWith("OpenCL CPU:"), d);
    if (d.startsWith("OpenCL CPU:")) assertFalse(d.contains("GPU"), d);
  }
}
