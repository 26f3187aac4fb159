package org.cartengine.cart.cli;

import com.google.gson.JsonObject;
import java.util.List;
import org.cartengine.cart.baseline.DualTower;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.data.Split;
import org.cartengine.cart.model.CartConfig;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.search.Metrics;
import org.cartengine.cart.text.BpeTokenizer;
import org.cartengine.cart.train.CartData;
import org.cartengine.cart.train.PairSet;
import org.cartengine.cart.train.RunDir;
import org.cartengine.cart.train.TrainConfig;
import org.cartengine.engine.nn.Rng;

/** Trains the dual-tower baseline with the same sizes and data as a CART run. */
final class Baselines {
  private Baselines() {}

  record Scored(Metrics metrics, double qps) {}

  static Scored dualTower(Dataset ds, BpeTokenizer tok, CartModel model, JsonObject run, double seconds, Split split) {
    CartConfig c = model.cfg;
    TrainConfig tc = RunDir.GSON.fromJson(run.get("train"), TrainConfig.class);
    PairSet train = CartData.trainPairs(ds, tok);
    PairSet qs = CartData.queries(ds, split, tok);
    DualTower dt = new DualTower(model.backend(), new Rng(tc.seed() + 1), tok.vocabSize(), c.dModel(), c.heads(), c.ffn(), c.encoderLayers(), c.dropout(),
        c.maxQueryLength(), ds.embeddings().toArray(), ds.size(), ds.dim());
    System.err.printf("dual-tower baseline: training for up to %.0f s%n", seconds);
    dt.train(train, Math.max(1, tc.epochs() * 4), seconds, tc.batchSize(), tc.lr(), tc.seed());
    long t0 = System.nanoTime();
    List<int[]> r = dt.rank(qs.queries(), 10, 256);
    double qps = qs.size() / Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
    return new Scored(Metrics.of(r, qs.relevant()), qps);
  }
}
