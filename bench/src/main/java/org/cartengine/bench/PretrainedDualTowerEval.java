package org.cartengine.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.cartengine.cart.baseline.PretrainedDualTower;
import org.cartengine.cart.data.Caption;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.data.Split;
import org.cartengine.cart.search.Metrics;
import org.cartengine.cart.text.BpeTokenizer;
import org.cartengine.cart.text.TextEmbedder;
import org.cartengine.cart.text.TextEncoders;
import org.cartengine.cart.train.CartData;
import org.cartengine.cart.data.PairSet;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;
import org.cartengine.engine.nn.Rng;

/**
 * The dual tower on the frozen all-MiniLM-L6-v2 ({@link PretrainedDualTower}) on one dataset: trained on the train
 * split's captions for a fixed number of epochs, one row per projection and temperature with val R@1/R@10 at each
 * checkpoint epoch (what the choice is made on) and test R@1/R@10 at the last epoch only. The encoder's embeddings are
 * computed once and shared by every row. Epoch-bounded and seeded, so the rows do not depend on the machine's load.
 * Run: {@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar
 * org.cartengine.bench.PretrainedDualTowerEval [--data emoji] [--proj linear,mlp] [--temps 0.05] [--epochs 40]
 * [--checkpoints 5,10,20,40] [--lr 1e-3] [--batch 256] [--width 256] [--hidden 512] [--seed 1]}
 */
public final class PretrainedDualTowerEval {
  public static void main(String[] args) throws Exception {
    String data = "emoji", projs = "linear,mlp", temps = String.valueOf(PretrainedDualTower.TEMPERATURE), checkpoints = "5,10,20,40";
    int epochs = 40, batch = 256, width = PretrainedDualTower.WIDTH, hidden = 512;
    double lr = PretrainedDualTower.LR;
    long seed = 1;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--data" -> data = args[++i];
        case "--proj" -> projs = args[++i];
        case "--temps" -> temps = args[++i];
        case "--epochs" -> epochs = Integer.parseInt(args[++i]);
        case "--checkpoints" -> checkpoints = args[++i];
        case "--lr" -> lr = Double.parseDouble(args[++i]);
        case "--batch" -> batch = Integer.parseInt(args[++i]);
        case "--width" -> width = Integer.parseInt(args[++i]);
        case "--hidden" -> hidden = Integer.parseInt(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        default -> throw new IllegalArgumentException("PretrainedDualTowerEval: unknown argument " + args[i]);
      }
    }
    Dataset ds = Dataset.open(data);
    Backend be = Backends.get();
    BpeTokenizer tok = BpeTokenizer.train(CartData.trainTexts(ds), 3000, 2);  // only fills PairSet's token lists
    List<Caption> trainCaps = ds.captions(Split.TRAIN);
    List<String> trainTexts = new ArrayList<>();
    int[] trainItems = new int[trainCaps.size()];
    for (int i = 0; i < trainCaps.size(); i++) {
      trainTexts.add(trainCaps.get(i).text());
      trainItems[i] = trainCaps.get(i).item();
    }
    PairSet val = CartData.queries(ds, Split.VAL, tok);
    PairSet test = CartData.queries(ds, Split.TEST, tok);
    Set<Integer> warm = new java.util.HashSet<>();
    for (int it : trainItems) warm.add(it);

    long t0 = System.nanoTime();
    Cached enc = new Cached(TextEncoders.load(TextEncoders.MINILM, be));
    Set<String> all = new LinkedHashSet<>(trainTexts);
    all.addAll(val.texts());
    all.addAll(test.texts());
    enc.embed(new ArrayList<>(all));
    double encodeS = (System.nanoTime() - t0) / 1e9;
    float[] items = ds.embeddings().toArray();
    System.out.printf(Locale.ROOT, "%s: %d items (%d without a train caption), %d train pairs, %d val, %d test queries; %s embedded %d distinct texts in %.1f s; "
        + "width %d, hidden %d, batch %d, lr %s, seed %d, %d epochs; backend %s%n", ds.info().name(), ds.size(), ds.size() - warm.size(), trainTexts.size(), val.size(),
        test.size(), enc.name(), all.size(), encodeS, width, hidden, batch, lr, seed, epochs, be.name());
    System.out.println("| projection | temperature | epoch | val R@1 | val R@10 | test R@1 | test R@10 | train s |");
    System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    Set<Integer> marks = new java.util.HashSet<>();
    for (String c : checkpoints.split(",")) marks.add(Integer.parseInt(c.trim()));
    for (String proj : projs.split(",")) {
      boolean mlp = switch (proj.trim()) {
        case "linear" -> false;
        case "mlp" -> true;
        default -> throw new IllegalArgumentException("--proj: linear or mlp, got " + proj);
      };
      for (String ts : temps.split(",")) {
        double temp = Double.parseDouble(ts.trim());
        PretrainedDualTower t = new PretrainedDualTower(be, new Rng(seed + 1), enc, items, ds.size(), ds.dim(), width, mlp, hidden, temp);
        final int last = epochs;
        long s0 = System.nanoTime();
        double[] paused = {0};
        PretrainedDualTower.Result r = t.train(trainTexts, trainItems, epochs, 0, batch, lr, seed, e -> {
          if (marks.contains(e) && e < last) {
            long p0 = System.nanoTime();
            Metrics v = Metrics.of(t.rank(val.texts(), 10), val.relevant());
            paused[0] += (System.nanoTime() - p0) / 1e9;
            System.out.printf(Locale.ROOT, "| %s | %s | %d | %.2f | %.2f | | | %.1f |%n", proj, ts, e, v.r1(), v.r10(), (System.nanoTime() - s0) / 1e9 - paused[0]);
          }
          return true;
        });
        Metrics v = Metrics.of(t.rank(val.texts(), 10), val.relevant());
        Metrics te = Metrics.of(t.rank(test.texts(), 10), test.relevant());
        System.out.printf(Locale.ROOT, "| %s | %s | %d | %.2f | %.2f | %.2f | %.2f | %.1f |%n", proj, ts, r.epochs(), v.r1(), v.r10(), te.r1(), te.r10(), r.seconds() - paused[0]);
      }
    }
  }

  /** The encoder with every text it has embedded kept, so the rows share one pass over the texts. */
  static final class Cached implements TextEmbedder {
    private final TextEmbedder inner;
    private final Map<String, float[]> memo = new HashMap<>();

    Cached(TextEmbedder inner) {
      this.inner = inner;
    }

    @Override
    public int dim() {
      return inner.dim();
    }

    @Override
    public float[][] embed(List<String> texts) {
      List<String> missing = new ArrayList<>(new LinkedHashSet<>(texts));
      missing.removeIf(memo::containsKey);
      if (!missing.isEmpty()) {
        float[][] e = inner.embed(missing);
        for (int i = 0; i < e.length; i++) memo.put(missing.get(i), e[i]);
      }
      float[][] out = new float[texts.size()][];
      for (int i = 0; i < texts.size(); i++) out[i] = memo.get(texts.get(i));
      return out;
    }

    @Override
    public String name() {
      return inner.name();
    }
  }
}
