package org.cartengine.engine.backend.simd;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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
      Loop loop = new Loop(c, task);
      int helpers = Math.min(threads, c) - 1;
      Worker[] ws = workers(helpers);
      for (int h = 0; h < helpers; h++) ws[h].post(loop);
      loop.run();
      loop.awaitDone();
      Throwable failure = loop.failure;
      if (failure instanceof RuntimeException re) throw re;
      if (failure instanceof Error er) throw er;
    } finally {
      BUSY.set(false);
    }
  }

  /**
   * One loop's chunks, taken from a shared counter, and a count of those finished. The caller waits for every chunk to
   * finish, not for every worker to have run: a worker the OS has not scheduled yet (on two cores, while a JIT
   * compiler or GC thread holds the other) claims nothing, the caller runs its chunks, and the loop ends without it.
   * Waiting for the worker's acknowledgement instead stalled each of a query's hundreds of kernels for the rest of a
   * time slice: an unseen query's slowest 1% took 30-90 ms in bursts of consecutive queries, against 18-29 on one thread.
   */
  private static final class Loop implements Runnable {
    private final int chunks;
    private final java.util.function.IntConsumer task;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger done = new AtomicInteger();
    private volatile Throwable failure;

    Loop(int chunks, java.util.function.IntConsumer task) {
      this.chunks = chunks;
      this.task = task;
    }

    @Override
    public void run() {
      for (int t; (t = next.getAndIncrement()) < chunks; ) {
        try {
          task.accept(t);
        } catch (RuntimeException | Error e) {
          if (failure == null) failure = e;
        } finally {
          done.incrementAndGet();
        }
      }
    }

    /** Returns once every chunk has run (the counter's increments publish the chunks' writes to the caller). */
    void awaitDone() {
      long spins = 0;
      while (done.get() < chunks) {
        if (++spins < 100_000) Thread.onSpinWait();
        else Thread.yield();
      }
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

  /** Run by a worker before each task it picks up; null outside tests, which use it to hold a worker back. */
  static volatile Runnable beforeTask;

  /** A daemon thread that runs posted tasks, spinning between them and parking when none comes. */
  private static final class Worker extends Thread {
    /** The posted task; cleared by the worker only if it is still the one it ran, so a task posted meanwhile stays. */
    private final AtomicReference<Runnable> task = new AtomicReference<>();
    private volatile boolean parked;

    Worker(int index) {
      super("cart-simd-" + index);
      setDaemon(true);
    }

    /**
     * Hands the task over, replacing one not picked up yet (a finished loop's, which has nothing left to claim); the
     * Dekker pair (task, parked) ensures a worker about to park sees it or is unparked.
     */
    void post(Runnable r) {
      task.set(r);
      if (parked) LockSupport.unpark(this);
    }

    @Override
    public void run() {
      while (true) {
        Runnable r = task.get();
        if (r == null) {
          long until = System.nanoTime() + SPIN_NANOS;
          while ((r = task.get()) == null && System.nanoTime() < until) Thread.onSpinWait();
          if (r == null) {
            parked = true;
            while ((r = task.get()) == null) LockSupport.park(this);
            parked = false;
          }
        }
        try {
          Runnable hook = beforeTask;
          if (hook != null) hook.run();
          r.run();
        } catch (Throwable t) {
          // a Loop records its chunks' failures itself; nothing else is posted
        }
        task.compareAndSet(r, null);
      }
    }
  }
}
