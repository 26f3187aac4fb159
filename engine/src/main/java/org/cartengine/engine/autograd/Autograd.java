package org.cartengine.engine.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.cartengine.engine.Shape;
import org.cartengine.engine.Tensor;

/**
 * Reverse-mode autodiff in the micrograd spirit: every op records a {@link Node} whose closure adds
 * into its inputs' gradients; {@link #backward} walks the graph in reverse topological order.
 * Invariant: gradients accumulate with +=; a gradient tensor handed to {@link #accumulate} belongs to
 * the receiver from then on.
 */
public final class Autograd {
  private static final ThreadLocal<int[]> NO_GRAD = ThreadLocal.withInitial(() -> new int[1]);

  private Autograd() {}

  /** True unless inside a {@link #noGrad()} scope. */
  public static boolean enabled() {
    return NO_GRAD.get()[0] == 0;
  }

  /** Inference scope: ops record no history. Use with try-with-resources: {@code try (var s = Autograd.noGrad()) {..}}. */
  public static Scope noGrad() {
    int[] depth = NO_GRAD.get();
    depth[0]++;
    return new Scope(depth);
  }

  /** A noGrad scope; its close() throws nothing, so callers need no catch. */
  public static final class Scope implements AutoCloseable {
    private final int[] depth;
    private boolean done;

    Scope(int[] depth) {
      this.depth = depth;
    }

    @Override
    public void close() {
      if (!done) {
        done = true;
        depth[0]--;
      }
    }
  }

  /** Whether an op on these inputs must record history. */
  public static boolean needed(Tensor... inputs) {
    if (!enabled()) return false;
    for (Tensor t : inputs) if (t != null && t.requiresGrad()) return true;
    return false;
  }

  /** Records {@code out = op(inputs)} with its backward closure when any input requires grad. */
  public static Tensor record(Tensor out, String op, BackwardFn fn, Tensor... inputs) {
    if (needed(inputs)) {
      out.requiresGrad(true);
      out.setNode(new Node(op, inputs, fn));
    }
    return out;
  }

  /** t.grad += g, where g is freshly computed and owned by the caller (it may become t.grad itself). */
  public static void accumulate(Tensor t, Tensor g) {
    if (t == null || !t.requiresGrad()) return;
    if (!Arrays.equals(t.shape(), g.shape()))
      throw new IllegalStateException("gradient of shape " + Shape.str(g.shape()) + " for a tensor of shape " + Shape.str(t.shape())
          + (t.node() != null ? " (output of " + t.node().op + ")" : ""));
    if (g.dtype() != t.dtype()) throw new IllegalStateException("gradient dtype " + g.dtype() + " for a " + t.dtype() + " tensor");
    if (!g.isContiguous() || g.offset() != 0) g = g.contiguous();
    LeafGradients sink = LeafGradients.current();
    if (sink != null && t.node() == null) {
      // A data-parallel shard: the leaf (a parameter) is shared with other threads, its gradient is not.
      sink.add(t, g);
      return;
    }
    Tensor cur = t.grad();
    if (cur == null) {
      t.setGrad(g);
    } else {
      cur.backend().axpy(1.0, g.buffer(), cur.buffer(), cur.numel());
      g.close();
    }
  }

  /** As {@link #accumulate} for a gradient that is shared with other tensors (copied before it is stored). */
  public static void accumulateShared(Tensor t, Tensor g) {
    if (t == null || !t.requiresGrad()) return;
    // A gradient that becomes t.grad must be a copy of the shared g; one added into an existing gradient, or into a
    // data-parallel shard's sink (which copies or adds it into a buffer of its own), may be a view of it.
    boolean stored = t.grad() == null && !(LeafGradients.current() != null && t.node() == null);
    if (stored) {
      // A copy of g: the strided copy writes every element.
      Tensor copy = Tensor.uninitialized(g.backend(), g.dtype(), g.shape());
      g.backend().copyStrided(g.buffer(), g.offset(), g.strides(), copy.buffer(), 0, copy.strides(), g.shape(), false);
      accumulate(t, copy);
    } else {
      accumulate(t, g.isContiguous() && g.offset() == 0 ? sharedView(g) : g.contiguous());
    }
  }

  private static Tensor sharedView(Tensor g) {
    return g.view(g.shape(), g.strides(), g.offset());
  }

  public static void backward(Tensor root, Tensor gradient) {
    if (!root.requiresGrad()) throw new IllegalStateException("backward(): tensor " + Shape.str(root.shape()) + " does not require grad (no input of its graph requires grad, or it was computed under noGrad)");
    if (!Arrays.equals(root.shape(), gradient.shape()))
      throw new IllegalArgumentException("backward(): gradient shape " + Shape.str(gradient.shape()) + " does not match tensor shape " + Shape.str(root.shape()));
    List<Tensor> order = topological(root);
    accumulateShared(root, gradient);
    // Backward closures build views and temporaries of gradients; recording them would grow a
    // second graph nobody walks (and keep its buffers alive).
    try (Scope ng = (Scope) noGrad()) {
      walk(order);
    }
  }

  private static void walk(List<Tensor> order) {
    for (int i = order.size() - 1; i >= 0; i--) {
      Tensor t = order.get(i);
      Node n = t.node();
      if (n == null) continue;
      Tensor g = t.grad();
      if (g != null) {
        n.fn.apply(g);
        // Intermediate gradients and the graph are not needed once pushed to the inputs.
        t.setGrad(null);
        g.close();
      }
      // Keep a marker rather than no node: a freed non-leaf would otherwise pass for a leaf, and a
      // later backward through it would silently stop there.
      t.setNode(n.freed());
    }
  }

  /** Post-order of the graph under root (inputs before outputs), iterative to survive deep graphs. */
  static List<Tensor> topological(Tensor root) {
    List<Tensor> order = new ArrayList<>();
    Map<Tensor, Boolean> seen = new IdentityHashMap<>();
    ArrayDeque<Object[]> stack = new ArrayDeque<>();
    stack.push(new Object[] {root, 0});
    seen.put(root, true);
    while (!stack.isEmpty()) {
      Object[] top = stack.peek();
      Tensor t = (Tensor) top[0];
      int next = (int) top[1];
      Node n = t.node();
      if (n != null && n.isFreed())
        throw new IllegalStateException("backward(): tensor " + Shape.str(t.shape()) + " (output of " + n.op + ") belongs to a graph that an earlier backward() already freed; "
            + "recompute it, or detach() it to use its value as a constant");
      Tensor[] ins = n == null ? new Tensor[0] : n.inputs;
      if (next < ins.length) {
        top[1] = next + 1;
        Tensor in = ins[next];
        if (in != null && in.requiresGrad() && seen.put(in, true) == null) stack.push(new Object[] {in, 0});
      } else {
        stack.pop();
        order.add(t);
      }
    }
    return Collections.unmodifiableList(order);
  }
}
