package org.cartengine.bench;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.cartengine.cart.ids.Identifiers;
import org.cartengine.cart.model.CartConfig;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.train.PairSet;
import org.cartengine.cart.train.TrainConfig;
import org.cartengine.cart.train.Trainer;
import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;
import org.cartengine.engine.nn.Rng;

/**
 * Training samples per second of the retriever at the no-argument {@code train} defaults (d 128, 4 heads,
 * FFN 256, 3+3 layers, fusion, R-Drop, batch 128) on emoji-shaped data: queries of 2-8 tokens,
 * identifiers (k, v1, v2, u) over 1,911 items. Run: {@code java --add-modules jdk.incubator.vector -cp
 * bench/target/benchmarks.jar org.cartengine.bench.TrainThroughput [steps 30] [--no-rdrop] [--no-fusion]}.
 */
public final class TrainThroughput {
  public static void main(String[] args) throws Exception {
    int steps = args.length > 0 && !args[0].startsWith("--") ? Integer.parseInt(args[0]) : 30;
    Set<String> flags = new HashSet<>(List.of(args));
    boolean rdrop = !flags.contains("--no-rdrop"), fusion = !flags.contains("--no-fusion");
    Backend be = Backends.get();
    Random r = new Random(1);
    int n = 1911, pairs = 128 * (steps + 5);
    Identifiers ids = RetrievalThroughput.syntheticIds(n, r);
    List<int[]> q = new ArrayList<>();
    int[] items = new int[pairs];
    for (int i = 0; i < pairs; i++) {
      int[] t = new int[2 + r.nextInt(7)];
      for (int j = 0; j < t.length; j++) t[j] = 2 + r.nextInt(2998);
      q.add(t);
      items[i] = r.nextInt(n);
    }
    PairSet train = new PairSet(q, items, null, null);
    Rng rng = new Rng(1);
    CartModel m = new CartModel(be, DType.F32, rng, new CartConfig(3000, ids.vocabSizes(), 128, 4, 256, 3, 3, 0.1, 24, fusion));
    TrainConfig tc = new TrainConfig(1, 128, 1e-3, 1e-5, 10, 1, 1, rdrop, 0.15, 0, 1.0, 10, 1, 0);
    Trainer t = new Trainer(m, rng, ids, tc, Files.createTempDirectory("cart-bench"), true);
    Timing.run("train step", steps, 5, i -> {
      int[] rows = new int[128];
      for (int j = 0; j < 128; j++) rows[j] = i * 128 + j;
      t.step(train, rows, 1e-3);
    }, 128, be, "fusion " + fusion + ", R-Drop " + rdrop);
  }
}
