package org.cartengine.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cartengine.engine.backend.BackendUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the OpenCL backend says of its device. Its parity with the reference is the one parity suite's
 * (engine/src/test/.../backend/BackendParityTest), skipped with the reason printed when this machine has no OpenCL platform (CI
 * installs PoCL, a CPU OpenCL driver, so the shared kernel sources run there).
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

  @Test
  void deviceSaysGpuOnlyForAGpu() {
    device.assumeAvailable();
    String d = device.backend.device();
    assertTrue(d.startsWith("OpenCL GPU:") || d.startsWith("OpenCL CPU:"), d);
    if (d.startsWith("OpenCL CPU:")) assertFalse(d.contains("GPU"), d);
  }
}
