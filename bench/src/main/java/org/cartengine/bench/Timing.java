package org.cartengine.bench;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.function.IntConsumer;
import org.cartengine.engine.backend.Backend;

/**
 * Warm-up, then the median of timed repetitions (the JMH habit for coarse whole-step timings). Each
 * repetition is timed in wall-clock seconds and in CPU seconds of the whole process (all threads): on
 * a machine shared with other jobs the wall clock measures the share of the CPU this process got,
 * while CPU time per step measures the code.
 */
final class Timing {
  private Timing() {}

  /** Samples per second: wall-clock and per CPU-second, medians over the repetitions. */
  record Rate(double wall, double cpu) {}

  static Rate run(String what, int reps, int warmup, IntConsumer body, int samplesPerRep, Backend be, String note) {
    for (int i = 0; i < warmup; i++) body.accept(i);
    be.synchronize();
    double[] secs = new double[reps], cpu = new double[reps];
    for (int i = 0; i < reps; i++) {
      long c0 = cpuNanos(), t0 = System.nanoTime();
      body.accept(warmup + i);
      be.synchronize();
      secs[i] = (System.nanoTime() - t0) / 1e9;
      cpu[i] = (cpuNanos() - c0) / 1e9;
    }
    Arrays.sort(secs);
    Arrays.sort(cpu);
    double med = secs[reps / 2], medCpu = cpu[reps / 2];
    System.out.printf("%s: median %.1f ms over %d reps (min %.1f, max %.1f) = %.0f samples/s; CPU %.1f ms/step = %.0f samples per CPU-second; "
        + "backend %s (%s); %s; load average %s%n", what, 1e3 * med, reps, 1e3 * secs[0], 1e3 * secs[reps - 1], samplesPerRep / med, 1e3 * medCpu,
        samplesPerRep / medCpu, be.name(), be.device(), note, loadAverage());
    return new Rate(samplesPerRep / med, samplesPerRep / medCpu);
  }

  /** One untimed pass (JIT, caches, buffers), then the best of two timed passes, in seconds. */
  static double bestOfTwo(Runnable pass) {
    pass.run();
    double best = Double.MAX_VALUE;
    for (int rep = 0; rep < 2; rep++) {
      long t0 = System.nanoTime();
      pass.run();
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
    }
    return best;
  }

  /** CPU time of the whole process (every thread), or -1 where the JVM does not expose it. */
  static long cpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) return os.getProcessCpuTime();
    return -1;
  }

  static String loadAverage() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
    } catch (Exception e) {
      return "?";
    }
  }
}
