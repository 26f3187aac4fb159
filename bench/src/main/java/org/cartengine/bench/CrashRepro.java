package org.cartengine.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;

/**
 * A short workload for the SIGSEGV seen after the default backend probe (bench/crash-repro.sh runs it
 * repeatedly and counts exit statuses). The JVM takes SIGSEGV on purpose (safepoint polls, implicit
 * null checks); a native library that installs its own SIGSEGV handler over the JVM's (PoCL's LLVM does,
 * with SA_RESETHAND) turns such a fault into a crash when two threads fault at once. So: threads in
 * JIT-compiled loops before the probe, then the default probe ({@link Backends#get()}), then allocation
 * of an item table (as RetrievalThroughput builds its 1M-item state), SIMD matmuls and forced GCs, each
 * a safepoint every running thread faults into.
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector -cp cart-engine.jar:classes
 * org.cartengine.bench.CrashRepro [seconds, default 15] [items, default 1000000]}
 */
public final class CrashRepro {
  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 15;
    int items = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong sink = new AtomicLong();
    List<Thread> spinners = new ArrayList<>();
    int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    for (int t = 0; t < threads; t++) {
      final int seed = t;
      Thread th = new Thread(() -> {
        long x = seed;
        while (!stop.get()) {
          for (int i = 0; i < 1_000_000; i++) x = x * 6364136223846793005L + 1442695040888963407L;
          int[] junk = new int[64 + (int) (x >>> 58)];  // some allocation, so these threads also fill the young generation
          x += junk.length;
        }
        sink.addAndGet(x);
      }, "spinner-" + t);
      th.setDaemon(true);
      th.start();
      spinners.add(th);
    }
    Thread.sleep(1500);  // the spinners' loops are compiled by now

    Backend be = Backends.get();  // the default probe (CART_BACKEND unset)
    System.err.println("backend " + be.name() + ": " + be.device() + "; skipped " + Backends.skipped());

    long end = System.nanoTime() + (long) (seconds * 1e9);
    Random r = new Random(1);
    int round = 0;
    while (System.nanoTime() < end) {
      Map<Integer, int[]> table = new HashMap<>();
      for (int i = 0; i < items; i++) table.put(i, new int[] {r.nextInt(128), r.nextInt(128), r.nextInt(128), i & 7});
      try (Tensor a = Tensor.randn(be, DType.F32, r, 1, 256, 256); Tensor b = Tensor.randn(be, DType.F32, r, 1, 256, 256);
          Tensor c = a.matmul(b)) {
        sink.addAndGet(c.shape().length);
      }
      System.gc();
      sink.addAndGet(table.size());
      round++;
    }
    stop.set(true);
    for (Thread t : spinners) t.join();
    System.err.println("ok: " + round + " rounds (" + sink.get() + ")");
  }
}
