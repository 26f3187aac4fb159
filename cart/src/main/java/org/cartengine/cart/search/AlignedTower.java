package org.cartengine.cart.search;

import java.util.List;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.model.QueryAligner;
import org.cartengine.engine.autograd.Autograd;

/** The retriever's own alignment head as the re-rank's text tower (no second model to train). */
public final class AlignedTower implements QueryTower {
  /** InfoNCE temperature of the alignment loss. */
  public static final double TEMPERATURE = 0.05;

  private final CartModel model;
  private final QueryAligner head;
  private final float[] items;
  private final int dim;

  /** items: n x dim, L2-normalised rows. */
  public AlignedTower(CartModel model, QueryAligner head, float[] items, int dim) {
    this.model = model;
    this.head = head;
    this.items = items;
    this.dim = dim;
  }

  @Override
  public double[][] candidateCosines(List<String> texts, List<int[]> queries, int[][] candidates, int batch) {
    double[][] out = new double[queries.size()][];
    model.train(false);
    try (AutoCloseable ng = Autograd.noGrad()) {
      for (int s = 0; s < queries.size(); s += batch) {
        List<int[]> qs = queries.subList(s, Math.min(queries.size(), s + batch));
        QueryBatch q = QueryBatch.of(model.backend(), qs, model.cfg.maxQueryLength());
        float[] qv = head.embed(model.encode(q.ids(), q.padding(), q.positions())).toFloatArray();
        for (int i = 0; i < qs.size(); i++) out[s + i] = QueryTower.dots(qv, i, dim, items, candidates[s + i]);
      }
    } catch (Exception e) {
      throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
    }
    return out;
  }

  @Override
  public double temperature() {
    return TEMPERATURE;
  }
}
