package org.cartengine.cart.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class Float16Test {

  @Test
  void everyHalfSurvivesWideningAndNarrowing() {
    for (int h = 0; h < 1 << 16; h++) {
      float f = Float16.toFloat((short) h);
      if (Float.isNaN(f)) {
        assertTrue(Float.isNaN(Float16.toFloat(Float16.fromFloat(f))));
      } else {
        assertEquals((short) h, Float16.fromFloat(f), "half 0x" + Integer.toHexString(h));
      }
    }
  }

  @Test
  void knownValues() {
    assertEquals(1.0f, Float16.toFloat((short) 0x3c00));
    assertEquals(-2.0f, Float16.toFloat((short) 0xc000));
    assertEquals(65504f, Float16.toFloat((short) 0x7bff));
    assertEquals(0x1p-24f, Float16.toFloat((short) 0x0001));
    assertEquals(Float.POSITIVE_INFINITY, Float16.toFloat(Float16.fromFloat(1e6f)));
    assertEquals((short) 0x3c00, Float16.fromFloat(1.0f + 0x1p-11f)); // tie rounds to even (down)
    assertEquals((short) 0x3c02, Float16.fromFloat(1.0f + 3 * 0x1p-11f)); // tie rounds to even (up)
  }

  /** Narrowing picks the nearest half: no other half is strictly closer. */
  @Property(tries = 2000)
  void narrowingIsNearest(@ForAll float f) {
    if (!Float.isFinite(f) || Math.abs(f) > 65504f) return;
    short h = Float16.fromFloat(f);
    double err = Math.abs((double) Float16.toFloat(h) - f);
    for (int d = -1; d <= 1; d += 2) {
      float neighbour = Float16.toFloat((short) (h + d));
      if (Float.isFinite(neighbour) && Math.signum(neighbour) * Math.signum(Float16.toFloat(h)) >= 0) {
        assertTrue(err <= Math.abs((double) neighbour - f), f + " -> " + Float16.toFloat(h) + ", not " + neighbour);
      }
    }
  }
}
