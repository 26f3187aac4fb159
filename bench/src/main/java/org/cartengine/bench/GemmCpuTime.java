package org.cartengine.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Buffer;
import org.cartengine.engine.backend.simd.SimdBackend;

/**
 * Single-thread GEMM GFLOP/s per second of CPU time (the thread's own), the counterpart of
 * {@code openblas_sgemm.py --cpu-time}. On a machine shared with other work, wall-clock numbers
 * measure the share of the CPU one got; CPU time measures the kernel. Run with
 * {@code -Dcart.threads=1 --add-modules=jdk.incubator.vector}; arguments are square sizes n or shapes MxNxK (C += A B),
 * MxNxKt with B transposed as a Linear layer multiplies by it.
 */
public final class GemmCpuTime {
  private GemmCpuTime() {}

  public static void main(String[] args) {
    Backend be = new SimdBackend();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    System.out.println("# " + be.device() + ", " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    for (String arg : args.length > 0 ? args : new String[] {"256", "512", "1024", "2048"}) {
      // "n" is n x n x n; "MxNxK" a rectangular C[M, N] += A[M, K] B[K, N]; a trailing "t" takes B transposed (a Linear's W^T).
      boolean transB = arg.endsWith("t");
      String[] dims = (transB ? arg.substring(0, arg.length() - 1) : arg).split("x");
      int m = Integer.parseInt(dims[0]), n = dims.length > 1 ? Integer.parseInt(dims[1]) : m, k = dims.length > 2 ? Integer.parseInt(dims[2]) : m;
      Buffer a = KernelState.random(be, m * k, 1), b = KernelState.random(be, k * n, 2), c = be.allocate(DType.F32, m * n);
      double flop = 2.0 * m * n * k;
      int reps = (int) Math.max(1, 1e9 / flop);
      double best = 0;
      for (int round = 0; round < 15; round++) {
        long t0 = mx.getCurrentThreadCpuTime();
        for (int r = 0; r < reps; r++) be.gemm(false, transB, 1, m, n, k, 1.0, a, 0, 0, k, b, 0, 0, transB ? k : n, 1.0, c, 0, 0, n);
        double gf = flop * reps / (mx.getCurrentThreadCpuTime() - t0);
        if (round >= 3) best = Math.max(best, gf);
      }
      System.out.printf("simd %12s: %6.1f GFLOP per CPU-second (best of 12 rounds, one thread)%n", arg, best);
    }
  }
}
