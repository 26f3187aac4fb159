package org.cartengine.engine.backend.simd;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Parallel loops over index ranges on one process-wide pool. A loop whose total work is below
 * {@link #MIN_WORK} runs inline (forking costs microseconds, a small kernel less); a bigger one is cut
 * into up to 4 chunks per thread, which the caller and {@code threads - 1} pool workers take from a
 * shared counter. Self-scheduling keeps both cores busy when one of them is slowed down by other work
 * on the machine, where an even split would wait for the slower half.
 */
final class Parallel {
  /**
   * Below this many element operations per chunk, another thread does not pay for its hand-off
   * ({@code -Dcart.parallel.minWork} for measurements).
   */
  static final long MIN_WORK = Long.getLong("cart.parallel.minWork", 1 << 15);

  private static ForkJoinPool pool;

  final int threads;

  Parallel(int threads) {
    this.threads = Math.max(1, threads);
  }

  interface Range {
    void run(int lo, int hi);
  }

  private static synchronized ForkJoinPool pool(int threads) {
    if (pool == null || pool.getParallelism() < threads) {
      pool = new ForkJoinPool(Math.max(threads, Runtime.getRuntime().availableProcessors()), p -> {
        ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
        t.setName("cart-simd-" + t.getPoolIndex());
        t.setDaemon(true);
        return t;
      }, null, false);
    }
    return pool;
  }

  /** Runs body over [0, n) in chunks; workPerItem is the cost of one index in element operations. */
  void forRange(int n, long workPerItem, Range body) {
    long chunks = Math.min(Math.min(4L * threads, n), Math.max(1, n * Math.max(1, workPerItem) / MIN_WORK));
    if (chunks <= 1 || threads == 1) {
      if (n > 0) body.run(0, n);
      return;
    }
    int c = (int) chunks;
    AtomicInteger next = new AtomicInteger();
    Runnable loop = () -> {
      for (int t; (t = next.getAndIncrement()) < c; ) body.run((int) ((long) n * t / c), (int) ((long) n * (t + 1) / c));
    };
    ForkJoinPool p = pool(threads);
    ForkJoinTask<?>[] helpers = new ForkJoinTask<?>[Math.min(threads, c) - 1];
    for (int h = 0; h < helpers.length; h++) helpers[h] = p.submit(loop);
    loop.run();
    for (ForkJoinTask<?> h : helpers) h.join();
  }
}
