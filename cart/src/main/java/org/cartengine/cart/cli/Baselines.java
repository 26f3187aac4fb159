package org.cartengine.cart.cli;

import com.google.gson.JsonObject;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.data.Split;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.search.Metrics;
import org.cartengine.cart.text.QueryTokenizer;
import org.cartengine.cart.train.CartData;
import org.cartengine.cart.train.CartPipeline;
import org.cartengine.cart.run.RunDir;
import org.cartengine.cart.train.TrainConfig;

/** Trains the dual-tower baseline with the same sizes and data as a CART run. */
final class Baselines {
  private Baselines() {}

  record Scored(Metrics metrics, double qps) {}

  static Scored dualTower(Dataset ds, QueryTokenizer tok, CartModel model, JsonObject run, double seconds, Split split) {
    TrainConfig tc = RunDir.GSON.fromJson(run.get("train"), TrainConfig.class);
    System.err.printf("dual-tower baseline: training for up to %.0f s%n", seconds);
    CartPipeline.Baseline b = CartPipeline.dualTower(ds, tok, model.cfg, tc, CartData.trainPairs(ds, tok), CartData.queries(ds, split, tok), seconds,
        model.backend());
    return new Scored(b.metrics(), b.qps());
  }
}
