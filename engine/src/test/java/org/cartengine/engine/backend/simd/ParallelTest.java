package org.cartengine.engine.backend.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {
  static final long BIG = Parallel.MIN_WORK * 8;

  static void assertEachIndexOnce(Parallel p, int n) {
    AtomicIntegerArray seen = new AtomicIntegerArray(n);
    p.forRange(n, BIG, (lo, hi) -> {
      for (int i = lo; i < hi; i++) seen.incrementAndGet(i);
    });
    for (int i = 0; i < n; i++) assertEquals(1, seen.get(i), "index " + i + " of " + n);
  }

  @Test
  void everyIndexRunsExactlyOnceOverManyLoops() {
    Parallel p = new Parallel(2);
    for (int n = 0; n < 200; n++) assertEachIndexOnce(p, n);
    for (int r = 0; r < 2000; r++) assertEachIndexOnce(p, 37);
  }

  @Test
  void aWorkerTakesChunks() {
    Parallel p = new Parallel(2);
    Set<String> threads = ConcurrentHashMap.newKeySet();
    p.forRange(8, BIG, (lo, hi) -> {
      threads.add(Thread.currentThread().getName());
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    assertTrue(threads.stream().anyMatch(t -> t.startsWith("cart-simd-")), "chunks ran on " + threads);
  }

  @Test
  void aLoopEndsWithoutAWorkerThatHasNotStartedAndThePoolStillWorksAfter() throws Exception {
    Parallel p = new Parallel(2);
    assertEachIndexOnce(p, 64);  // the worker exists
    CountDownLatch held = new CountDownLatch(1), release = new CountDownLatch(1);
    Parallel.beforeTask = () -> {
      held.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    Set<String> threads = ConcurrentHashMap.newKeySet();
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try {
      // As a worker the OS does not schedule: it has the task but has not claimed a chunk. The caller runs them all.
      Future<?> loop = caller.submit(() -> p.forRange(8, BIG, (lo, hi) -> threads.add(Thread.currentThread().getName())));
      loop.get(30, TimeUnit.SECONDS);
      assertTrue(held.await(30, TimeUnit.SECONDS), "the worker was posted the loop");
      assertEquals(1, threads.size(), "chunks ran on " + threads);
      assertTrue(threads.stream().noneMatch(t -> t.startsWith("cart-simd-")), "chunks ran on " + threads);
    } finally {
      Parallel.beforeTask = null;
      release.countDown();
      caller.shutdown();
    }
    // The worker wakes up to a loop with nothing left to claim; later loops still get every index once.
    for (int r = 0; r < 200; r++) assertEachIndexOnce(p, 37);
  }

  @Test
  void aFailureInAnyChunkReachesTheCallerAndThePoolStillWorks() {
    Parallel p = new Parallel(2);
    for (int bad : new int[] {0, 7}) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.forRange(8, BIG, (lo, hi) -> {
        if (lo <= bad && bad < hi) throw new IllegalStateException("chunk " + bad);
      }));
      assertEquals("chunk " + bad, e.getMessage());
    }
    assertEachIndexOnce(p, 64);
  }

  @Test
  void nestedLoopsAndConcurrentCallersComplete() throws Exception {
    Parallel p = new Parallel(2);
    AtomicIntegerArray seen = new AtomicIntegerArray(64);
    p.forRange(8, BIG, (lo, hi) -> {
      for (int i = lo; i < hi; i++) {
        int base = i * 8;
        p.forRange(8, BIG, (a, b) -> {
          for (int j = a; j < b; j++) seen.incrementAndGet(base + j);
        });
      }
    });
    for (int i = 0; i < 64; i++) assertEquals(1, seen.get(i));
    Thread[] callers = new Thread[3];
    Throwable[] errors = new Throwable[callers.length];
    for (int t = 0; t < callers.length; t++) {
      int id = t;
      callers[t] = new Thread(() -> {
        try {
          for (int r = 0; r < 300; r++) assertEachIndexOnce(p, 50 + id);
        } catch (Throwable e) {
          errors[id] = e;
        }
      });
      callers[t].start();
    }
    for (Thread t : callers) t.join(60_000);
    for (Throwable e : errors) if (e != null) throw new AssertionError(e);
  }
}
