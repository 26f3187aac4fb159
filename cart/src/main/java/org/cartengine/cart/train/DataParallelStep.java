package org.cartengine.cart.train;

import java.util.List;
import java.util.Map;
import org.cartengine.cart.data.PairSet;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.autograd.LeafGradients;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.BufferScope;
import org.cartengine.engine.nn.Rng;
import org.cartengine.engine.ops.Views;

/**
 * The forward and backward of one batch as data-parallel shards: the batch is cut into one contiguous shard per
 * thread, each shard runs its whole forward and backward on one core ({@link Backend#forEachShard}) into gradient
 * buffers of its own ({@link LeafGradients}), and the shards' gradients are summed in shard order into the
 * parameters' gradients, for clipping and Adam to read as after a one-thread step.
 *
 * <p>At CART's shapes (d_model 64, batches of 128, 4-16 tokens) one kernel is too small to split across cores: the
 * threads of a split kernel spend much of the step waiting for each other. A shard keeps its core busy for a whole
 * step instead. Each shard's loss is its share of eq. (8) on the whole batch ({@link TrainingLoss#of(PairSet, int[],
 * int, int)}), so the summed gradient is the batch's up to the order of float additions. Dropout masks are a function
 * of (seed, counter, shard) ({@link Rng#shard}): a run with a fixed shard count is reproducible bit for bit.
 */
final class DataParallelStep {
  /** Fewer rows than this per shard do not pay for the shard's fixed costs. */
  static final int MIN_ROWS_PER_SHARD = 16;

  private final Backend be;
  private final TrainingLoss objective;
  private final Rng rng;
  private final List<Tensor> params;
  private final LeafGradients[] sinks;

  DataParallelStep(Backend be, TrainingLoss objective, Rng rng, Map<String, Tensor> params, int shards) {
    this.be = be;
    this.objective = objective;
    this.rng = rng;
    this.params = List.copyOf(params.values());
    this.sinks = new LeafGradients[shards];
    for (int k = 0; k < shards; k++) sinks[k] = new LeafGradients();
  }

  /** How many shards a batch of {@code rows} is cut into. */
  int shardsFor(int rows) {
    return Math.max(1, Math.min(sinks.length, rows / MIN_ROWS_PER_SHARD));
  }

  /**
   * Runs the shards of {@code rows} and leaves the batch's gradient in each parameter's {@link Tensor#grad()},
   * allocated in the caller's open {@link BufferScope}; returns the batch's loss. A non-finite loss leaves no
   * gradient (nothing may be applied).
   */
  double forwardBackward(PairSet train, int[] rows) {
    int s = shardsFor(rows.length);
    double[] losses = new double[s];
    long[] draws = new long[s];
    be.forEachShard(s, k -> {
      int lo = (int) ((long) rows.length * k / s), hi = (int) ((long) rows.length * (k + 1) / s);
      try (BufferScope scope = BufferScope.open(); LeafGradients.Binding g = sinks[k].bind(); Rng.Shard r = rng.shard(k)) {
        Tensor loss = objective.of(train, rows, lo, hi);
        losses[k] = loss.item();
        if (Double.isFinite(losses[k])) loss.backward();
        draws[k] = r.draws();
      }
    });
    long drawn = 0;
    double total = 0;
    for (int k = 0; k < s; k++) {
      drawn = Math.max(drawn, draws[k]);
      total += losses[k];
    }
    rng.advance(drawn);
    if (!Double.isFinite(total)) return total;
    for (Tensor p : params) {
      Tensor sum = null;
      for (int k = 0; k < s; k++) {
        Tensor gk = sinks[k].get(p);
        if (gk == null) continue;
        if (sum == null) sum = Views.contiguousCopy(gk);
        else be.axpy(1.0, gk.buffer(), sum.buffer(), p.numel());
      }
      if (sum != null) p.setGrad(sum);
    }
    return total;
  }
}
