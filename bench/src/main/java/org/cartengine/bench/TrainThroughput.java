package org.cartengine.bench;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.cartengine.cart.ids.Identifiers;
import org.cartengine.cart.model.CartConfig;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.data.PairSet;
import org.cartengine.cart.train.TrainConfig;
import org.cartengine.cart.train.Trainer;
import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;
import org.cartengine.engine.nn.Rng;

/**
 * Training samples per second of the retriever (forward, backward, clipping, Adam) on emoji-shaped
 * data: queries of 2-8 tokens from a 3,000-token vocabulary, identifiers (k, v1, v2, u) over 1,911
 * items. Defaults are the no-argument {@code train}'s (d_model 64, 4 heads, FFN 128, 3+3 layers,
 * fusion, R-Drop, batch 128). Run: {@code java --add-modules jdk.incubator.vector -cp
 * bench/target/benchmarks.jar org.cartengine.bench.TrainThroughput [--steps 30] [--d-model 64]
 * [--ffn 128] [--heads 4] [--batch 128] [--rounds 1] [--no-rdrop] [--no-fusion]}. With several rounds, each prints
 * its median and the last line the median of the rounds.
 */
public final class TrainThroughput {
  public static void main(String[] args) throws Exception {
    int steps = 30, d = 64, ffn = 128, heads = 4, batch = 128, rounds = 1;
    boolean rdrop = true, fusion = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--steps" -> steps = Integer.parseInt(args[++i]);
        case "--d-model" -> d = Integer.parseInt(args[++i]);
        case "--ffn" -> ffn = Integer.parseInt(args[++i]);
        case "--heads" -> heads = Integer.parseInt(args[++i]);
        case "--batch" -> batch = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--no-rdrop" -> rdrop = false;
        case "--no-fusion" -> fusion = false;
        default -> throw new IllegalArgumentException("TrainThroughput: unknown argument " + args[i]);
      }
    }
    Backend be = Backends.get();
    Random r = new Random(1);
    int n = 1911, warmup = 10, pairs = batch * (steps + warmup);
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
    CartModel m = new CartModel(be, DType.F32, rng, new CartConfig(3000, ids.vocabSizes(), d, heads, ffn, 3, 3, 0.1, 24, fusion));
    TrainConfig tc = new TrainConfig(1, batch, 1e-3, 1e-5, 10, 1, 1, rdrop, 0.15, 0, 1.0, 10, 1, 0);
    Trainer t = new Trainer(m, rng, ids, tc, Files.createTempDirectory("cart-bench"), true);
    final int bs = batch, total = steps + warmup;
    // Step i trains on batch i % total of the prepared pairs.
    java.util.function.IntFunction<int[]> rowsOf = i -> {
      int[] rows = new int[bs];
      for (int j = 0; j < bs; j++) rows[j] = (i % total) * bs + j;
      return rows;
    };
    String note = "d_model " + d + ", FFN " + ffn + ", heads " + heads + ", batch " + batch + ", fusion " + fusion + ", R-Drop " + rdrop;
    double[] rates = new double[rounds], cpuRates = new double[rounds];
    for (int round = 0; round < rounds; round++) {
      Timing.Rate rate = Timing.run("train step", steps, round == 0 ? warmup : 0, i -> t.step(train, rowsOf.apply(i), 1e-3), batch, be, note);
      rates[round] = rate.wall();
      cpuRates[round] = rate.cpu();
    }
    if (be instanceof org.cartengine.engine.backend.cuda.CudaBackend cb) {
      // Steady state: a step should take all its memory from the caching allocator (BufferScope in Trainer).
      long before = cb.driverAllocations();
      for (int i = 0; i < 5; i++) t.step(train, rowsOf.apply(i), 1e-3);
      System.out.printf("CUDA driver allocations: %d in 5 more steps (%d since start; %s)%n", cb.driverAllocations() - before,
          cb.driverAllocations(), cb.memoryStats());
    }
    if (rounds > 1) {
      java.util.Arrays.sort(rates);
      java.util.Arrays.sort(cpuRates);
      System.out.printf("median of %d rounds: %.0f samples/s, %.0f samples per CPU-second%n", rounds, rates[rounds / 2], cpuRates[rounds / 2]);
    }
  }
}
