package org.cartengine.engine.backend.reference;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.cartengine.engine.DType;

/**
 * The arrays of released CPU buffers, kept by dtype and exact length for the next buffer of that size. A training
 * step allocates the same activation and gradient shapes every step; with its temporaries released at the step's end
 * ({@code BufferScope}) the next step takes them from here instead of the heap, which spares the garbage collector
 * (G1 copies or, for arrays over half a region, handles as humongous objects, every large temporary of a step).
 *
 * <p>Small arrays are left to the JVM (a thread-local bump allocation is cheaper than a lookup); the pool holds at
 * most a quarter of the maximum heap, beyond which released arrays go to the collector as before. Arrays come out
 * zero-filled, as a fresh Java array would.
 */
final class ArrayPool {
  /** Below this many elements an array is not pooled. */
  static final int MIN_LENGTH = 4096;
  private static final long CAP_BYTES = Runtime.getRuntime().maxMemory() / 4;
  private static final Map<Long, ArrayDeque<Object>> FREE = new HashMap<>();
  private static long pooledBytes;

  private ArrayPool() {}

  private static long key(DType dt, int n) {
    return ((long) dt.ordinal() << 32) | n;
  }

  /** An array of exactly n elements from the pool, zero-filled if {@code zeroed}, or null. */
  static Object take(DType dt, int n, boolean zeroed) {
    if (n < MIN_LENGTH) return null;
    Object a;
    synchronized (ArrayPool.class) {
      ArrayDeque<Object> q = FREE.get(key(dt, n));
      if (q == null || q.isEmpty()) return null;
      a = q.pop();
      pooledBytes -= (long) n * dt.bytes;
    }
    if (!zeroed) return a;
    if (a instanceof float[] f) java.util.Arrays.fill(f, 0f);
    else if (a instanceof double[] d) java.util.Arrays.fill(d, 0.0);
    else java.util.Arrays.fill((int[]) a, 0);
    return a;
  }

  /** Keeps a released buffer's array for reuse, unless it is small or the pool is full. */
  static void give(DType dt, Object a, int n) {
    if (n < MIN_LENGTH) return;
    long bytes = (long) n * dt.bytes;
    synchronized (ArrayPool.class) {
      if (pooledBytes + bytes > CAP_BYTES) return;
      FREE.computeIfAbsent(key(dt, n), k -> new ArrayDeque<>()).push(a);
      pooledBytes += bytes;
    }
  }
}
