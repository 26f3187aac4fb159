package org.cartengine.engine.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LrScheduleTest {
  @Test
  void cosineCyclesEndAtTheFloorOnTheirLastStep() {
    double peak = 1e-3, floor = 1e-5;
    int warm = 3, cycle = 10;
    LrSchedule s = LrSchedule.cosineCycles(peak, warm, cycle, floor);
    assertEquals(peak / 3, s.lr(1), 1e-15);
    assertEquals(peak, s.lr(warm), 1e-15);
    // the first cycle holds the warm-up and ends at step `cycle`; every next one is `cycle` steps long
    for (int end : new int[] {cycle, 2 * cycle, 3 * cycle}) {
      assertEquals(floor, s.lr(end), 1e-15, "step " + end);
      assertTrue(s.lr(end + 1) > 0.9 * peak && s.lr(end + 1) < peak, "step " + (end + 1));
    }
    for (int step = warm + 1; step < cycle; step++) assertTrue(s.lr(step + 1) < s.lr(step), "annealing at step " + step);
  }

  @Test
  void cosineWithRestartsStartsEachCycleAtThePeak() {
    LrSchedule s = LrSchedule.cosineWithRestarts(1e-3, 3, 10, 1.0, 1e-5);
    assertEquals(1e-3, s.lr(3 + 10), 1e-15);
    assertEquals(1e-3, s.lr(3 + 20), 1e-15);
  }
}
