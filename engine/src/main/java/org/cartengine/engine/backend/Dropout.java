package org.cartengine.engine.backend;

/**
 * The dropout mask as a pure function of (seed, element index), so that the reference, SIMD, CUDA
 * and OpenCL backends draw bit-identical masks and the backward needs no stored mask. The mixing
 * is a 32-bit integer hash (xorshift-multiply rounds); kernels/ repeats it in C.
 */
public final class Dropout {
  private Dropout() {}

  public static int hash(long seed, int i) {
    int x = i * 0x9E3779B9 ^ (int) seed;
    x ^= (int) (seed >>> 32) * 0x85EBCA6B;
    x ^= x >>> 16;
    x *= 0x7FEB352D;
    x ^= x >>> 15;
    x *= 0x846CA68B;
    x ^= x >>> 16;
    return x;
  }

  /** Uniform in [0, 1) with 24 bits. */
  public static float uniform(long seed, int i) {
    return (hash(seed, i) >>> 8) * (1.0f / 16777216.0f);
  }

  public static boolean keep(long seed, int i, double p) {
    return uniform(seed, i) >= p;
  }
}
