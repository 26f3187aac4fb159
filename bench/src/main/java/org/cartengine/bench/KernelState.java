package org.cartengine.bench;

import java.util.Random;
import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Buffer;
import org.cartengine.engine.backend.simd.SimdBackend;

/** Shared set-up of the kernel benchmarks: the SIMD backend (vector or scalar path) and random F32 buffers. */
final class KernelState {
  private KernelState() {}

  static Backend backend(String mode) {
    return switch (mode) {
      case "simd" -> new SimdBackend(true, 0);
      case "scalar" -> new SimdBackend(false, 0);
      default -> throw new IllegalArgumentException("mode " + mode + ": simd or scalar");
    };
  }

  /** n uniform floats in [-1, 1) (never zeros: timings on zeros flatter some units). */
  static Buffer random(Backend be, int n, long seed) {
    Random r = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = r.nextFloat() * 2 - 1;
    Buffer b = be.allocate(DType.F32, n);
    be.write(b, 0, v, 0, n);
    return b;
  }

  static Buffer ints(Backend be, int n, int bound, long seed) {
    Random r = new Random(seed);
    int[] v = new int[n];
    for (int i = 0; i < n; i++) v[i] = r.nextInt(bound);
    Buffer b = be.allocate(DType.I32, n);
    be.write(b, 0, v, 0, n);
    return b;
  }
}
