package org.cartengine.engine.backend.simd;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * Parallel loops over index ranges on one process-wide pool. Work is split into at most
 * {@code threads} contiguous chunks, the caller runs the first one itself, and a loop whose total
 * work is below {@link #MIN_WORK} runs inline: forking costs microseconds, a small kernel less.
 */
final class Parallel {
  /** Below this many element operations per chunk, another thread does not pay for its hand-off. */
  static final long MIN_WORK = 1 << 15;

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
    long chunks = Math.min(Math.min(threads, n), Math.max(1, n * Math.max(1, workPerItem) / MIN_WORK));
    if (chunks <= 1) {
      if (n > 0) body.run(0, n);
      return;
    }
    int c = (int) chunks;
    ForkJoinPool p = pool(threads);
    ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[c - 1];
    for (int t = 1; t < c; t++) {
      int lo = (int) ((long) n * t / c), hi = (int) ((long) n * (t + 1) / c);
      tasks[t - 1] = p.submit(() -> body.run(lo, hi));
    }
    body.run(0, (int) ((long) n / c));
    for (ForkJoinTask<?> t : tasks) t.join();
  }
}
