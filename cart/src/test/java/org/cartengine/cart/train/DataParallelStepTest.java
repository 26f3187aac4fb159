package org.cartengine.cart.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.cartengine.cart.data.PairSet;
import org.cartengine.cart.ids.Identifiers;
import org.cartengine.cart.model.CartConfig;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.model.QueryAligner;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;
import org.cartengine.engine.backend.BufferScope;
import org.cartengine.engine.nn.Rng;
import org.junit.jupiter.api.Test;

/**
 * A data-parallel step (shards on several threads, gradients summed) equals the one-thread step on the whole batch
 * up to the order of float additions, with R-Drop and the alignment head's in-batch InfoNCE; a run with a fixed
 * shard count and seed is reproducible bit for bit.
 */
class DataParallelStepTest {
  static final Backend SIMD = Backends.create("simd");
  static final Backend REF = Backends.create("reference");
  static final int VOCAB = 60, ITEMS = 40, ITEM_DIM = 12;

  /** A model, its trainer and a batch of random pairs, all from {@code seed}. */
  record Setup(CartModel model, Trainer trainer, TrainingLoss loss, Rng rng, PairSet train, Map<String, Tensor> params) {}

  static Setup setup(Backend be, long seed, int pairs, double dropout, boolean rdrop) throws Exception {
    Random r = new Random(seed);
    int[] tok = new int[ITEMS * 3];
    for (int i = 0; i < ITEMS; i++) {
      tok[i * 3] = i % 5;
      tok[i * 3 + 1] = (i / 5) % 8;
      tok[i * 3 + 2] = i / 40;
    }
    Identifiers ids = new Identifiers(tok, ITEMS, 3, new int[] {5, 8, 1});
    List<int[]> q = new ArrayList<>();
    int[] items = new int[pairs];
    for (int i = 0; i < pairs; i++) {
      int[] t = new int[1 + r.nextInt(6)];
      for (int j = 0; j < t.length; j++) t[j] = 2 + r.nextInt(VOCAB - 2);
      q.add(t);
      items[i] = r.nextInt(ITEMS);
    }
    PairSet train = new PairSet(q, items, null, null);
    Rng rng = new Rng(seed);
    CartModel m = new CartModel(be, DType.F32, rng, new CartConfig(VOCAB, ids.vocabSizes(), 16, 2, 32, 2, 2, dropout, 8, true));
    float[] emb = new float[ITEMS * ITEM_DIM];
    for (int i = 0; i < emb.length; i++) emb[i] = (float) r.nextGaussian();
    Tensor itemEmb = BufferScope.outside(() -> Tensor.of(be, emb, ITEMS, ITEM_DIM));
    Trainer.Alignment align = new Trainer.Alignment(new QueryAligner(be, DType.F32, rng, 16, ITEM_DIM), itemEmb, 0.5);
    TrainConfig tc = new TrainConfig(1, pairs, 1e-3, 1e-5, 2, 1, seed, rdrop, 0.15, 0, 1.0, 4, 1, 0);
    Trainer t = new Trainer(m, rng, ids, tc, Files.createTempDirectory("cart-dp"), true, align);
    Map<String, Tensor> params = new LinkedHashMap<>(m.parameters());
    align.head().parameters().forEach((k, v) -> params.put("align." + k, v));
    return new Setup(m, t, new TrainingLoss(m, ids, tc, align), rng, train, params);
  }

  static int[] allRows(int n) {
    int[] rows = new int[n];
    for (int i = 0; i < n; i++) rows[i] = i;
    return rows;
  }

  /** Gradients of the one-thread step on the whole batch, and of the same batch as {@code shards} shards. */
  @Property(tries = 6)
  void shardedGradientsEqualTheWholeBatchsGradients(@ForAll @IntRange(min = 32, max = 80) int rows, @ForAll @IntRange(min = 2, max = 4) int shards,
      @ForAll @IntRange(min = 1, max = 1000) int seed) throws Exception {
    // Dropout off: the masks of a shard are drawn for its own rows, so with dropout the two steps see different masks.
    Setup s = setup(SIMD, seed, rows, 0.0, true);
    int[] batch = allRows(rows);
    try (BufferScope scope = BufferScope.open()) {
      Tensor loss = s.loss().of(s.train(), batch);
      double whole = loss.item();
      loss.backward();
      Map<String, float[]> expect = new LinkedHashMap<>();
      for (var e : s.params().entrySet()) {
        assertNotNull(e.getValue().grad(), e.getKey() + " has no gradient");
        expect.put(e.getKey(), e.getValue().grad().toFloatArray());
        e.getValue().zeroGrad();
      }
      DataParallelStep dp = new DataParallelStep(SIMD, s.loss(), s.rng(), s.params(), shards);
      assertEquals(Math.min(shards, rows / DataParallelStep.MIN_ROWS_PER_SHARD), dp.shardsFor(rows));
      double sharded = dp.forwardBackward(s.train(), batch);
      assertEquals(whole, sharded, 1e-5 * Math.abs(whole), "loss");
      double global = 0;
      for (float[] g : expect.values()) for (float v : g) global += (double) v * v;
      global = Math.sqrt(global);
      for (var e : s.params().entrySet()) {
        float[] want = expect.get(e.getKey()), got = e.getValue().grad().toFloatArray();
        double diff = 0, norm = 0;
        for (int i = 0; i < want.length; i++) {
          diff += (double) (want[i] - got[i]) * (want[i] - got[i]);
          norm += (double) want[i] * want[i];
        }
        // 1e-5 of the tensor's gradient, with a floor of 1e-6 of the whole gradient for tensors whose exact gradient
        // is zero (the attention keys' bias: softmax ignores a shift shared by every key), where both sides are rounding.
        assertTrue(Math.sqrt(diff) <= 1e-5 * Math.sqrt(norm) + 1e-6 * global,
            e.getKey() + ": |g_sharded - g_whole| " + Math.sqrt(diff) + " against |g_whole| " + Math.sqrt(norm) + " (all gradients: " + global + ")");
        e.getValue().zeroGrad();
      }
    }
  }

  /**
   * Three data-parallel steps with dropout and R-Drop, twice from the same seed: on the reference backend the same
   * parameters bit for bit; on simd the same losses within rounding (there a one-thread run is not bit-reproducible
   * either: the JIT compiles the vector kernels' lane reductions in the course of a run, see ResumeAndDivergenceTest;
   * and Adam turns the rounding noise of a gradient that is zero in exact arithmetic, such as the attention keys' bias,
   * into steps of the learning rate's size, so parameters are not compared there).
   */
  @Test
  void aFixedShardCountAndSeedGiveTheSameRun() throws Exception {
    for (Backend be : new Backend[] {REF, SIMD}) {
      Map<String, float[]> first = null;
      double[] firstLosses = null;
      for (int run = 0; run < 2; run++) {
        Setup s = setup(be, 7, 64, 0.1, true);
        s.trainer().shards(2);
        assertEquals(2, s.trainer().shards());
        double[] losses = new double[3];
        for (int step = 0; step < 3; step++) losses[step] = s.trainer().step(s.train(), allRows(64), 1e-2);
        assertTrue(Double.isFinite(losses[2]) && s.rng().counter() > 0, "dropout drew seeds and the counter moved past them");
        if (firstLosses != null) for (int i = 0; i < 3; i++) assertEquals(firstLosses[i], losses[i], be == REF ? 0 : 1e-5 * Math.abs(firstLosses[i]), be.name() + " loss of step " + i);
        firstLosses = losses;
        Map<String, float[]> now = new LinkedHashMap<>();
        s.params().forEach((k, v) -> now.put(k, v.toFloatArray()));
        if (first != null && be == REF) for (var e : first.entrySet()) assertArrayEquals(e.getValue(), now.get(e.getKey()), be.name() + " " + e.getKey());
        first = now;
      }
    }
  }

  /** The masks of a shard depend on (seed, counter, shard) only; shard 0 draws what a step without shards draws. */
  @Test
  void shardZeroDrawsTheOneThreadSeedsAndTheCounterMovesPastTheShards() {
    Rng a = new Rng(3), b = new Rng(3);
    long[] plain = {a.nextSeed(), a.nextSeed()};
    long s0a, s0b, s1a;
    try (Rng.Shard sh = b.shard(0)) {
      s0a = b.nextSeed();
      s0b = b.nextSeed();
      assertEquals(2, sh.draws());
    }
    try (Rng.Shard sh = b.shard(1)) {
      s1a = b.nextSeed();
    }
    assertEquals(plain[0], s0a);
    assertEquals(plain[1], s0b);
    assertTrue(s1a != s0a, "shard 1 draws its own masks");
    b.advance(2);
    assertEquals(a.counter(), b.counter());
    assertEquals(a.nextSeed(), b.nextSeed());
  }
}
