package org.cartengine.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The CPU and its load, printed beside every wall-clock figure (the machine is shared). */
final class MachineInfo {
  private MachineInfo() {}

  /** "model name" of /proc/cpuinfo, whether it has AVX-512F, and the core count. */
  static String cpu() {
    String model = "unknown CPU";
    boolean avx512 = false;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name") && model.equals("unknown CPU")) model = line.substring(line.indexOf(':') + 1).trim();
        if (line.startsWith("flags") && line.contains(" avx512f")) avx512 = true;
      }
    } catch (IOException e) {
      // not Linux: the model stays unknown
    }
    return model + ", " + Runtime.getRuntime().availableProcessors() + " cores, " + (avx512 ? "AVX-512F" : "no AVX-512F");
  }

  /** The 1, 5 and 15 minute load averages. */
  static String load() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return "load average " + f[0] + ", " + f[1] + ", " + f[2];
    } catch (IOException e) {
      return "load average unknown";
    }
  }

  /** CPU time of this process, all threads (what the machine's other load does not inflate as it does wall time). */
  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** Heap in use after collecting garbage (several passes, so the figure settles). */
  static long usedHeap() {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 4; i++) System.gc();
    return rt.totalMemory() - rt.freeMemory();
  }
}
