package org.cartengine.engine.backend.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import jcuda.CudaException;
import jcuda.driver.CUdeviceptr;

/**
 * A caching device allocator: blocks are rounded up to size classes (four per power of two, so at most 25%
 * waste) and returned blocks wait on per-class free lists for the next request of their class. After the
 * first training step every request is served from the lists, so steady-state training allocates nothing
 * from the driver (cuMemAlloc synchronises the device and costs microseconds to milliseconds).
 *
 * <p>Reuse is safe without events because the backend has one stream: a block is only handed out again to
 * work queued after the work that used it. Blocks come back from {@code Buffer.close()} or, for buffers
 * nobody closed, from the backend's Cleaner when they become unreachable; that runs on the Cleaner's thread,
 * so {@link #give} makes no CUDA call. When the driver is out of memory, {@link #take} frees the cached
 * blocks, then asks the garbage collector to return unreachable buffers and tries once more.
 */
final class CudaAllocator {
  private final Map<Long, ArrayDeque<CUdeviceptr>> free = new HashMap<>();
  /** Waits for the stream before blocks go back to the driver (they may still be in use by queued kernels). */
  private final Runnable drainStream;
  private long cachedBytes;
  private long liveBytes;
  private long driverBytes;
  private long driverAllocations;
  private boolean closed;

  CudaAllocator(Runnable drainStream) {
    this.drainStream = drainStream;
  }

  /** The size class of a request: at least 256 bytes, else 1.25, 1.5, 1.75 or 2 times a power of two. */
  static long sizeClass(long bytes) {
    if (bytes <= 256) return 256;
    int e = 63 - Long.numberOfLeadingZeros(bytes - 1);  // 2^e < bytes <= 2^(e+1)
    long step = 1L << (e - 2);
    return (bytes + step - 1) / step * step;
  }

  /** A block of exactly {@code cls} bytes (a size class); must be called with the backend's context current. */
  CUdeviceptr take(long cls) {
    CUdeviceptr p = fromCache(cls);
    if (p != null) return p;
    p = fromDriver(cls);
    if (p != null) return p;
    // Out of device memory: give the cache back to the driver and retry.
    releaseCache();
    p = fromDriver(cls);
    if (p != null) return p;
    // Tensors that were never closed release their buffers when collected: collect, wait for the Cleaner.
    System.gc();
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    p = fromCache(cls);
    if (p != null) return p;
    releaseCache();
    p = fromDriver(cls);
    if (p != null) return p;
    throw new IllegalStateException("CUDA out of memory: " + cls + " bytes requested, " + stats());
  }

  private synchronized CUdeviceptr fromCache(long cls) {
    ArrayDeque<CUdeviceptr> q = free.get(cls);
    if (q == null || q.isEmpty()) return null;
    cachedBytes -= cls;
    liveBytes += cls;
    return q.pop();
  }

  private CUdeviceptr fromDriver(long cls) {
    CUdeviceptr p = new CUdeviceptr();
    try {
      cuMemAlloc(p, cls);
    } catch (CudaException e) {
      if (String.valueOf(e.getMessage()).contains("OUT_OF_MEMORY")) return null;
      throw e;
    }
    synchronized (this) {
      driverAllocations++;
      driverBytes += cls;
      liveBytes += cls;
    }
    return p;
  }

  /** Returns a block to its free list. Called from any thread (the Cleaner's included); makes no CUDA call. */
  synchronized void give(CUdeviceptr p, long cls) {
    liveBytes -= cls;
    if (closed) return;  // the context is gone, and the memory with it
    free.computeIfAbsent(cls, c -> new ArrayDeque<>()).push(p);
    cachedBytes += cls;
  }

  /** Frees every cached block (after the stream has drained). */
  void releaseCache() {
    drainStream.run();
    synchronized (this) {
      for (var e : free.entrySet()) {
        for (CUdeviceptr p : e.getValue()) {
          cuMemFree(p);
          driverBytes -= e.getKey();
          cachedBytes -= e.getKey();
        }
        e.getValue().clear();
      }
    }
  }

  /** Marks the allocator closed: the context is about to be released, which frees all its memory. */
  synchronized void close() {
    closed = true;
    free.clear();
    cachedBytes = 0;
  }

  synchronized long driverAllocations() {
    return driverAllocations;
  }

  synchronized long cachedBytes() {
    return cachedBytes;
  }

  synchronized long liveBytes() {
    return liveBytes;
  }

  synchronized String stats() {
    return String.format("%.1f MiB in use by buffers, %.1f MiB cached, %.1f MiB from the driver in %d allocations",
        liveBytes / 1048576.0, cachedBytes / 1048576.0, driverBytes / 1048576.0, driverAllocations);
  }
}
