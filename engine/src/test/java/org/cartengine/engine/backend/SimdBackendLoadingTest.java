package org.cartengine.engine.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cartengine.engine.backend.Backends;
import org.cartengine.engine.backend.simd.SimdBackend;
import org.junit.jupiter.api.Test;

/** How the SIMD backend is found, configured and, without the Vector API module, skipped cleanly. */
class SimdBackendLoadingTest {

  /** Run in a child JVM started without --add-modules=jdk.incubator.vector. */
  public static final class Probe {
    public static void main(String[] args) {
      System.out.println("available=" + Backends.available());
      System.out.println("picked=" + Backends.get().name());
      System.out.println("skipped=" + Backends.skipped());
    }
  }

  @Test
  void withoutTheVectorModuleTheProviderSkipsSimdAndSaysWhy() throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), Probe.class.getName()))
        .redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe JVM did not finish");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("picked=reference"), out);
    assertFalse(out.contains("available=[simd"), out);
    assertTrue(out.contains("simd: IllegalStateException: module jdk.incubator.vector is not loaded"), out);
  }

  @Test
  void deviceReportsWidthThreadsAndWhetherSimdIsOn() {
    SimdBackend on = new SimdBackend(true, 0), off = new SimdBackend(false, 0);
    assertTrue(on.simdEnabled());
    assertFalse(off.simdEnabled());
    assertTrue(on.device().matches(".*\\d+-bit.*SIMD on.*\\d+ threads.*"), on.device());
    assertTrue(off.device().contains("SIMD off"), off.device());
    assertEquals("simd", off.name());
  }

  @Test
  void aWidthOtherThanTheJvmsIsRefused() {
    int bits = new SimdBackend(true, 0).device().contains("256-bit") ? 128 : 256;
    assertThrows(IllegalArgumentException.class, () -> new SimdBackend(true, bits));
  }
}
