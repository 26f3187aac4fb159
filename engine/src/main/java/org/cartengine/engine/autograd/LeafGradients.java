package org.cartengine.engine.autograd;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.BufferScope;

/**
 * Gradients of leaf tensors (parameters) kept apart from {@link Tensor#grad()}, for data-parallel steps: several
 * threads run the forward and backward of their own shard of a batch on the same parameters, each bound to its own
 * LeafGradients, so no two threads add into one gradient buffer. The caller sums the shards' gradients afterwards.
 *
 * <p>The sums live outside any {@link BufferScope} and are reused from step to step (the first gradient of a step
 * is copied in, later ones added), so a shard's step scope can close before its gradients are read.
 */
public final class LeafGradients {
  private static final ThreadLocal<LeafGradients> CURRENT = new ThreadLocal<>();

  private final Map<Tensor, Tensor> sums = new IdentityHashMap<>();
  private final Set<Tensor> touched = Collections.newSetFromMap(new IdentityHashMap<>());

  /** Binds this sink to the calling thread and forgets the previous step's gradients; close the binding on the same thread. */
  public Binding bind() {
    if (CURRENT.get() != null) throw new IllegalStateException("LeafGradients: this thread is already bound to a sink");
    touched.clear();
    CURRENT.set(this);
    return new Binding(this);
  }

  /** The gradient of {@code leaf} since the last {@link #bind()}, or null if none reached it. */
  public Tensor get(Tensor leaf) {
    return touched.contains(leaf) ? sums.get(leaf) : null;
  }

  /** The sink bound to this thread, or null. */
  static LeafGradients current() {
    return CURRENT.get();
  }

  /** Adds g (owned by the caller, closed here) into the leaf's gradient. */
  void add(Tensor leaf, Tensor g) {
    Tensor s = sums.get(leaf);
    if (s == null) {
      s = BufferScope.outside(() -> Tensor.zeros(g.backend(), g.dtype(), g.shape()));
      sums.put(leaf, s);
    }
    if (touched.add(leaf)) s.backend().copyStrided(g.buffer(), 0, new int[] {1}, s.buffer(), 0, new int[] {1}, new int[] {s.numel()}, false);
    else s.backend().axpy(1.0, g.buffer(), s.buffer(), s.numel());
    g.close();
  }

  /** The binding of a sink to a thread. */
  public static final class Binding implements AutoCloseable {
    private final LeafGradients sink;
    private boolean done;

    Binding(LeafGradients sink) {
      this.sink = sink;
    }

    @Override
    public void close() {
      if (done) return;
      done = true;
      if (CURRENT.get() != sink) throw new IllegalStateException("LeafGradients: binding closed on another thread");
      CURRENT.remove();
    }
  }
}
