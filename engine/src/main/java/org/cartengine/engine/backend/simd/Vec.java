package org.cartengine.engine.backend.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one float species every SIMD kernel uses. It is a {@code static final} so that C2 sees a
 * constant and compiles Vector API calls to machine vectors; a species held in a field or passed as
 * an argument is not a constant and falls back to slow Java code. The width is therefore fixed per
 * JVM, at the first use of a kernel: {@code -Dcart.simd.width=64|128|256|512}, else the CPU's
 * preferred width.
 */
final class Vec {
  private Vec() {}

  /** Why the requested width cannot be used, or null. Read by the backend's constructor. */
  static final String PROBLEM;
  static final VectorSpecies<Float> F;
  static final int L;

  static {
    int max = VectorShape.preferredShape().vectorBitSize();
    String want = System.getProperty("cart.simd.width", "").trim();
    VectorSpecies<Float> s = FloatVector.SPECIES_PREFERRED;
    String problem = null;
    if (!want.isEmpty() && !want.equals("auto")) {
      int bits = -1;
      try {
        bits = Integer.parseInt(want);
      } catch (NumberFormatException e) {
        // reported below
      }
      if (bits != 64 && bits != 128 && bits != 256 && bits != 512) problem = "cart.simd.width=" + want + " is not one of 64, 128, 256, 512";
      else if (bits > max) problem = "cart.simd.width=" + bits + " exceeds this CPU's " + max + "-bit vectors";
      else s = VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
    }
    F = s;
    L = s.length();
    PROBLEM = problem;
  }

  static int bits() {
    return F.vectorBitSize();
  }
}
