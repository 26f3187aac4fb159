package org.cartengine.bench;

import java.util.Arrays;
import java.util.function.IntConsumer;
import org.cartengine.engine.backend.Backend;

/** Warm-up, then the median of timed repetitions (the JMH habit for coarse whole-step timings). */
final class Timing {
  private Timing() {}

  static void run(String what, int reps, int warmup, IntConsumer body, int samplesPerRep, Backend be, String note) {
    for (int i = 0; i < warmup; i++) body.accept(i);
    be.synchronize();
    double[] secs = new double[reps];
    for (int i = 0; i < reps; i++) {
      long t0 = System.nanoTime();
      body.accept(warmup + i);
      be.synchronize();
      secs[i] = (System.nanoTime() - t0) / 1e9;
    }
    Arrays.sort(secs);
    double med = secs[reps / 2];
    System.out.printf("%s: median %.1f ms over %d reps (min %.1f, max %.1f) = %.0f samples/s; backend %s (%s); %s; load average %s%n", what,
        1e3 * med, reps, 1e3 * secs[0], 1e3 * secs[reps - 1], samplesPerRep / med, be.name(), be.device(), note, loadAverage());
  }

  static String loadAverage() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
    } catch (Exception e) {
      return "?";
    }
  }
}
