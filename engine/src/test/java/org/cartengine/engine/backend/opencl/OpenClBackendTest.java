package org.cartengine.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.BackendCheck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
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
  private static Backend backend;
  private static String unavailable;

  @BeforeAll
  static void open() {
    try {
      backend = new OpenClBackend();
      System.out.println("[opencl] " + backend.device());
    } catch (RuntimeException | LinkageError e) {
      unavailable = e.toString();
      System.out.println("[opencl] SKIPPED: OpenCL backend unavailable: " + unavailable);
    }
  }

  @AfterAll
  static void close() {
    if (backend != null) backend.close();
  }

  private static Stream<DynamicTest> parity(DType dt) {
    Assumptions.assumeTrue(backend != null, () -> "OpenCL backend unavailable: " + unavailable);
    Assumptions.assumeTrue(backend.supports(dt), () -> backend.device() + " does not support " + dt);
    List<DynamicTest> tests = new ArrayList<>();
    for (BackendCheck.Check c : new BackendCheck(backend, dt, 42).checks()) tests.add(DynamicTest.dynamicTest(dt + " " + c.name(), c.body()::run));
    return tests.stream();
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
    Assumptions.assumeTrue(backend != null, () -> "OpenCL backend unavailable: " + unavailable);
    String d = backend.device();
    assertTrue(d.startsWith("OpenCL GPU:") || d.startsWith("OpenCL CPU:"), d);
    if (d.startsWith("OpenCL CPU:")) assertFalse(d.contains("GPU"), d);
  }
}
