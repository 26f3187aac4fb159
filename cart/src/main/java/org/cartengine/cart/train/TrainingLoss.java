package org.cartengine.cart.train;

import java.util.ArrayList;
import java.util.List;
import org.cartengine.cart.baseline.InBatchItems;
import org.cartengine.cart.data.PairSet;
import org.cartengine.cart.ids.Identifiers;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.search.AlignedTower;
import org.cartengine.cart.search.QueryBatch;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.ops.Embedding;
import org.cartengine.engine.ops.Softmax;

/**
 * The retriever's loss (eq. 8): cross-entropy over the identifier tokens + omega * bidirectional KL between two
 * dropout passes (R-Drop, eq. 7), plus the alignment head's InfoNCE when there is one.
 */
final class TrainingLoss {
  private final CartModel model;
  private final Identifiers ids;
  private final TrainConfig cfg;
  private final Trainer.Alignment align;

  TrainingLoss(CartModel model, Identifiers ids, TrainConfig cfg, Trainer.Alignment align) {
    this.model = model;
    this.ids = ids;
    this.cfg = cfg;
    this.align = align;
  }

  /** Eq. (8) on one batch. With R-Drop the batch is duplicated so both dropout passes run as one forward. */
  Tensor of(PairSet train, int[] rows) {
    return of(train, rows, 0, rows.length);
  }

  /**
   * The share of rows [lo, hi) of the batch in eq. (8) on the whole batch: the mean over those rows, times their
   * fraction of the batch, so the shards' losses (and gradients) of a data-parallel step add up to the batch's. Both
   * R-Drop passes of a row run in its shard; the alignment head's in-batch negatives are the whole batch's items.
   */
  Tensor of(PairSet train, int[] rows, int lo, int hi) {
    Backend be = model.backend();
    int b = hi - lo, copies = cfg.rdrop() ? 2 : 1, j = ids.length();
    List<int[]> qs = new ArrayList<>();
    int[] targets = new int[copies * b * j];
    for (int c = 0; c < copies; c++) {
      for (int i = 0; i < b; i++) {
        qs.add(train.queries().get(rows[lo + i]));
        int item = train.items()[rows[lo + i]];
        for (int p = 0; p < j; p++) targets[(c * b + i) * j + p] = ids.token(item, p);
      }
    }
    QueryBatch q = QueryBatch.of(be, qs, model.cfg.maxQueryLength());
    Tensor tgt = Tensor.ofInts(be, targets, copies * b, j);
    CartModel.Encoded enc = model.encode(q.ids(), q.padding(), q.positions());
    Tensor hidden = model.decode(enc, j > 1 ? tgt.slice(1, 0, j - 1) : null, copies * b);
    Tensor total = null;
    for (int p = 0; p < j; p++) {
      Tensor logits = model.logits(hidden, p);
      Tensor target = tgt.slice(1, p, p + 1).reshape(copies * b);
      Tensor ce = Softmax.crossEntropy(logits, target, -1, cfg.labelSmoothing(), copies * b);
      Tensor term = ce;
      if (cfg.rdrop()) {
        Tensor lp = Softmax.logSoftmax(logits);
        Tensor p1 = lp.slice(0, 0, b), p2 = lp.slice(0, b, 2 * b);
        // Eq. (7): KL(P||Q) + KL(Q||P) between the two dropout passes.
        Tensor kl = Softmax.klDiv(p1, p2).add(Softmax.klDiv(p2, p1));
        term = term.add(kl.mul(cfg.omega()));
      }
      total = total == null ? term : total.add(term);
    }
    if (align != null) total = total.add(alignment(train, rows, lo, hi, enc, copies).mul(align.weight()));
    return b == rows.length ? total : total.mul((double) b / rows.length);
  }

  /**
   * In-batch InfoNCE of the alignment head against the fixed item embeddings, over the distinct items
   * of the batch (an item present twice is not its own negative); both R-Drop copies take part.
   */
  private Tensor alignment(PairSet train, int[] rows, int lo, int hi, CartModel.Encoded enc, int copies) {
    Backend be = model.backend();
    int n = rows.length, b = hi - lo;
    int[] rowItems = new int[n];
    for (int r = 0; r < n; r++) rowItems[r] = train.items()[rows[r]];
    // The columns are the distinct items of the whole batch (a function of the item set, not of the R-Drop copy).
    InBatchItems in = InBatchItems.of(rowItems);
    int[] targets = new int[copies * b];
    for (int r = 0; r < copies * b; r++) targets[r] = in.targets()[lo + r % b];
    Tensor it = Embedding.lookup(align.items(), Tensor.ofInts(be, in.columns(), in.columns().length));
    Tensor logits = align.head().embed(enc).matmul(it.t()).mul(1.0 / AlignedTower.TEMPERATURE);
    return Softmax.crossEntropy(logits, Tensor.ofInts(be, targets, copies * b), -1, 0, copies * b);
  }
}
