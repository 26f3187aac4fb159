package org.cartengine.engine.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The lifetime of one unit of work's temporaries (a training step): every tensor buffer allocated on this thread
 * while the scope is open is released when it closes. On CUDA that returns the memory to the caching allocator at
 * once instead of when the garbage collector finds the tensor unreachable, so a step after the first asks the
 * driver for nothing (cuMemAlloc synchronises the device and costs far more than a kernel launch).
 *
 * <p>What must outlive the step is allocated {@link #outside} any scope (optimiser state) or before the scope
 * opens (parameters). A buffer used after its scope closed throws ({@link Buffer#checkOpen}), so a mistake is an
 * error, never silent garbage. Scopes nest: an inner scope's buffers are released when the inner one closes.
 */
public final class BufferScope implements AutoCloseable {
  private static final ThreadLocal<BufferScope> CURRENT = new ThreadLocal<>();
  /** {@code -Dcart.bufferScope=off} leaves every buffer to the garbage collector: the before of a before/after benchmark. */
  private static final boolean ENABLED = !"off".equals(System.getProperty("cart.bufferScope"));

  private final BufferScope parent;
  private final List<Buffer> owned = new ArrayList<>();
  private boolean closed;
  private long released;

  private BufferScope(BufferScope parent) {
    this.parent = parent;
  }

  /** Opens a scope on this thread; close it (try-with-resources) on the same thread. */
  public static BufferScope open() {
    BufferScope s = new BufferScope(CURRENT.get());
    CURRENT.set(s);
    return s;
  }

  /** Records a freshly allocated buffer in this thread's innermost open scope, if any. */
  public static void track(Buffer b) {
    BufferScope s = CURRENT.get();
    if (s != null && ENABLED) s.owned.add(b);
  }

  /** Runs {@code make} with no scope open on this thread: what it allocates lives until closed or collected. */
  public static <T> T outside(Supplier<T> make) {
    BufferScope s = CURRENT.get();
    CURRENT.remove();
    try {
      return make.get();
    } finally {
      if (s != null) CURRENT.set(s);
    }
  }

  /** Buffers this scope released when it closed (0 while open). */
  public long released() {
    return released;
  }

  @Override
  public void close() {
    if (closed) return;
    if (CURRENT.get() != this) throw new IllegalStateException("BufferScope closed out of order or on another thread");
    closed = true;
    for (Buffer b : owned) {
      if (!b.isClosed()) {
        b.close();
        released++;
      }
    }
    owned.clear();
    if (parent == null) CURRENT.remove();
    else CURRENT.set(parent);
  }
}
