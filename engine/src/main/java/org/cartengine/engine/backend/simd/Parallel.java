package org.cartengine.engine.backend.simd;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Parallel loops over index ranges on process-wide worker threads. A loop whose total work is below
 * {@link #MIN_WORK} runs inline; a bigger one is cut into up to 4 chunks per thread, which the caller
 * and {@code threads - 1} workers take from a shared counter. Self-scheduling keeps both cores busy
 * when one of them is slowed down by other work on the machine, where an even split would wait for
 * the slower half.
 *
 * <p>A training step at CART's default shape is thousands of small kernels. On a fork/join pool each
 * hand-off woke a parked thread (tens of microseconds): the default step ran at 392 samples/s on two
 * threads against 550 on one (2-core AMD EPYC, bench/README.md). So the workers here spin for
 * {@link #SPIN_NANOS} after each task, picking the next one up within a fraction of a microsecond,
 * and park only when no work came. One loop owns the workers at a time: a loop that starts while
 * another one holds them (a nested loop, a second caller thread) runs inline on its own thread.
 */
final class Parallel {
  /**
   * Below this many element operations per chunk, another thread does not pay for its hand-off
   * ({@code -Dcart.parallel.minWork} for measurements).
   */
  static final long MIN_WORK = Long.getLong("cart.parallel.minWork", 1 << 15);

  /** How long an idle worker waits for the next task before parking ({@code -Dcart.parallel.spinMicros}). */
  static final long SPIN_NANOS = Long.getLong("cart.parallel.spinMicros", 200) * 1000;

  /** The workers started so far; grown (never shrunk) under the class lock, read without it. */
  private static volatile Worker[] workers = new Worker[0];
  private static final AtomicBoolean BUSY = new AtomicBoolean();

  final int threads;

  Parallel(int threads) {
    this.threads = Math.max(1, threads);
  }

  interface Range {
    void run(int lo, int hi);
  }

  /** Runs body over [0, n) in chunks; workPerItem is the cost of one index in element operations. */
  void forRange(int n, long workPerItem, Range body) {
    long chunks = Math.min(Math.min(4L * threads, n), Math.max(1, n * Math.max(1, workPerItem) / MIN_WORK));
    if (chunks <= 1 || threads == 1 || !BUSY.compareAndSet(false, true)) {
      if (n > 0) body.run(0, n);
      return;
    }
    int c = (int) chunks;
    runOwned(c, t -> body.run((int) ((long) n * t / c), (int) ((long) n * (t + 1) / c)));
  }

  /**
   * Runs task(0..n-1) on the caller and the workers, each index on one thread from start to end. While they run this
   * call owns the workers, so every loop inside a task runs inline on its thread. When another loop owns them, the
   * tasks run one after another on the caller.
   */
  void forEachTask(int n, java.util.function.IntConsumer task) {
    if (n <= 1 || threads == 1 || !BUSY.compareAndSet(false, true)) {
      for (int i = 0; i < n; i++) task.accept(i);
      return;
    }
    runOwned(n, task);
  }

  /**
   * With the workers owned (BUSY set by the caller, released here): tasks 0..c-1 taken from a shared counter by the
   * caller and up to {@code threads - 1} workers; rethrows the first failure once all have finished.
   */
  private void runOwned(int c, java.util.function.IntConsumer task) {
    try {
      AtomicInteger next = new AtomicInteger();
      Runnable loop = () -> {
        for (int t; (t = next.getAndIncrement()) < c; ) task.accept(t);
      };
      int helpers = Math.min(threads, c) - 1;
      Worker[] ws = workers(helpers);
      for (int h = 0; h < helpers; h++) ws[h].post(loop);
      Throwable failure = null;
      try {
        loop.run();
      } catch (RuntimeException | Error e) {
        failure = e;
      }
      for (int h = 0; h < helpers; h++) {
        Throwable t = ws[h].await();
        if (failure == null) failure = t;
      }
      if (failure instanceof RuntimeException re) throw re;
      if (failure instanceof Error er) throw er;
    } finally {
      BUSY.set(false);
    }
  }

  /** At least {@code count} started workers; the lock is taken only when more are needed. */
  private static Worker[] workers(int count) {
    Worker[] ws = workers;
    if (ws.length >= count) return ws;
    synchronized (Parallel.class) {
      ws = workers;
      if (ws.length < count) {
        ws = Arrays.copyOf(ws, count);
        for (int i = workers.length; i < count; i++) {
          ws[i] = new Worker(i);
          ws[i].start();
        }
        workers = ws;
      }
      return ws;
    }
  }

  /** A daemon thread that runs posted tasks, spinning between them and parking when none comes. */
  private static final class Worker extends Thread {
    private volatile Runnable task;
    private volatile boolean parked;
    private volatile Throwable failure;

    Worker(int index) {
      super("cart-simd-" + index);
      setDaemon(true);
    }

    /** Hands the task over; the Dekker pair (task, parked) ensures a worker about to park sees it or is unparked. */
    void post(Runnable r) {
      failure = null;
      task = r;
      if (parked) LockSupport.unpark(this);
    }

    /** Waits until the posted task has run; returns what it threw, if anything. */
    Throwable await() {
      long spins = 0;
      while (task != null) {
        if (++spins < 100_000) Thread.onSpinWait();
        else Thread.yield();
      }
      return failure;
    }

    @Override
    public void run() {
      while (true) {
        Runnable r = task;
        if (r == null) {
          long until = System.nanoTime() + SPIN_NANOS;
          while ((r = task) == null && System.nanoTime() < until) Thread.onSpinWait();
          if (r == null) {
            parked = true;
            while ((r = task) == null) LockSupport.park(this);
            parked = false;
          }
        }
        try {
          r.run();
        } catch (Throwable t) {
          failure = t;
        }
        task = null;
      }
    }
  }
}
