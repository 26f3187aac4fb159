package org.cartengine.cart.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cartengine.cart.data.PairSet;
import org.cartengine.cart.ids.Identifiers;
import org.cartengine.cart.model.CartConfig;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.text.BpeTokenizer;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backends;
import org.cartengine.engine.nn.Rng;
import org.junit.jupiter.api.Test;

/** Kill-and-resume equals an uninterrupted run; a diverging loss stops training and keeps the last good checkpoint. */
class ResumeAndDivergenceTest {
  static PairSet pairs(BpeTokenizer[] tokOut) {
    List<String> texts = new ArrayList<>();
    List<Integer> items = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      texts.add(TinyRetrievalTest.COLORS[i / 4] + " " + TinyRetrievalTest.THINGS[i % 4]);
      items.add(i);
    }
    BpeTokenizer tok = BpeTokenizer.train(texts, 100, 2);
    tokOut[0] = tok;
    List<int[]> q = new ArrayList<>();
    List<Set<Integer>> rel = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      q.add(tok.encode(texts.get(i)));
      rel.add(Set.of(items.get(i)));
    }
    return new PairSet(q, items.stream().mapToInt(Integer::intValue).toArray(), rel, texts);
  }

  /**
   * The reference backend is bit-deterministic. (The simd backend's vector lane reductions may add in
   * a different order once the JIT compiles them, so there a resumed run matches to rounding only.)
   */
  static final org.cartengine.engine.backend.Backend REF = Backends.create("reference");

  static CartModel model(BpeTokenizer tok, Identifiers ids, Rng rng) {
    return new CartModel(REF, DType.F32, rng, new CartConfig(tok.vocabSize(), ids.vocabSizes(), 16, 2, 32, 1, 1, 0.1, 8, true));
  }

  static TrainConfig cfg(int epochs, double lr) {
    return new TrainConfig(epochs, 4, lr, 1e-4, 3, epochs, 9, true, 0.15, 0.0, 1.0, 4, 1, 0);
  }

  @Test
  void earlyStoppingEndsTheRunPatienceEpochsAfterTheBestAndAResumeDoesNotTrainFurther() throws Exception {
    BpeTokenizer[] tok = new BpeTokenizer[1];
    PairSet train = pairs(tok);
    Identifiers ids = TinyRetrievalTest.tinyIds(12);
    // A val set that can never be hit (its only relevant item is not in the corpus), large enough to select epochs on:
    // R@1 stays 0, so epoch 1 stays the best and the run ends after 1 + patience epochs.
    List<int[]> q = new ArrayList<>();
    List<Set<Integer>> rel = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < Trainer.MIN_VAL_QUERIES_FOR_SELECTION; i++) {
      q.add(train.queries().get(i % train.size()));
      rel.add(Set.of(-1));
      texts.add(train.texts().get(i % train.size()));
    }
    PairSet val = new PairSet(q, new int[q.size()], rel, texts);
    TrainConfig c = cfg(10, 3e-3);
    c = new TrainConfig(c.epochs(), c.batchSize(), c.lr(), c.minLr(), c.warmupSteps(), c.restartEpochs(), c.seed(), c.rdrop(), c.omega(),
        c.labelSmoothing(), c.clipNorm(), c.beam(), c.valEvery(), c.budgetSeconds(), 2);
    Path dir = Files.createTempDirectory("cart-early");
    Rng r = new Rng(3);
    Trainer.Result res = new Trainer(model(tok[0], ids, r), r, ids, c, dir, true).train(train, val, List.of());
    assertEquals(3, res.epochs(), "epoch 1 best, then 2 epochs without improvement");
    assertEquals(1, res.bestEpoch());
    Rng r2 = new Rng(3);
    Trainer again = new Trainer(model(tok[0], ids, r2), r2, ids, c, dir, true);
    assertEquals(3, again.resume());
    assertEquals(3, again.train(train, val, List.of()).epochs(), "a resumed run that had stopped stays stopped");
  }

  @Test
  void resumedRunEndsWhereAnUninterruptedRunEnds() throws Exception {
    BpeTokenizer[] tok = new BpeTokenizer[1];
    PairSet train = pairs(tok);
    Identifiers ids = TinyRetrievalTest.tinyIds(12);

    Path a = Files.createTempDirectory("cart-full");
    Rng ra = new Rng(3);
    CartModel full = model(tok[0], ids, ra);
    new Trainer(full, ra, ids, cfg(4, 3e-3), a, true).train(train, train, List.of());

    Path b = Files.createTempDirectory("cart-resumed");
    Rng rb = new Rng(3);
    // Killed after epoch 2 of 4.
    new Trainer(model(tok[0], ids, rb), rb, ids, cfg(4, 3e-3), b, true).train(train, train, 2);
    // A new process: fresh model and RNG, state only from the checkpoint on disk.
    Rng rc = new Rng(3);
    CartModel resumed = model(tok[0], ids, rc);
    Trainer t = new Trainer(resumed, rc, ids, cfg(4, 3e-3), b, true);
    assertEquals(2, t.resume());
    t.train(train, train, List.of());

    Map<String, Tensor> pf = full.parameters(), pr = resumed.parameters();
    for (String k : pf.keySet()) assertArrayEquals(pf.get(k).toFloatArray(), pr.get(k).toFloatArray(), 0f, "parameter " + k);
  }

  /** Item embeddings for the alignment head: 12 items x 6 dims, L2-normalised. */
  static Trainer.Alignment alignment(Rng rng) {
    float[] e = new float[12 * 6];
    java.util.Random r = new java.util.Random(5);
    for (int i = 0; i < e.length; i++) e[i] = (float) r.nextGaussian();
    org.cartengine.cart.ids.CoarseFineModel.l2Normalize(e, 12, 6);
    return new Trainer.Alignment(new org.cartengine.cart.model.QueryAligner(REF, DType.F32, rng, 16, 6), Tensor.of(REF, e, 12, 6), 0.5);
  }

  @Test
  void withTheAlignmentHeadAResumedRunAlsoEndsWhereAnUninterruptedRunEnds() throws Exception {
    BpeTokenizer[] tok = new BpeTokenizer[1];
    PairSet train = pairs(tok);
    Identifiers ids = TinyRetrievalTest.tinyIds(12);
    Rng ra = new Rng(3);
    CartModel full = model(tok[0], ids, ra);
    Trainer.Alignment fa = alignment(ra);
    new Trainer(full, ra, ids, cfg(4, 3e-3), Files.createTempDirectory("cart-align-full"), true, fa).train(train, train, List.of());

    Path b = Files.createTempDirectory("cart-align-resumed");
    Rng rb = new Rng(3);
    CartModel first = model(tok[0], ids, rb);
    new Trainer(first, rb, ids, cfg(4, 3e-3), b, true, alignment(rb)).train(train, train, 2);
    Rng rc = new Rng(3);
    CartModel resumed = model(tok[0], ids, rc);
    Trainer.Alignment ra2 = alignment(rc);
    Trainer t = new Trainer(resumed, rc, ids, cfg(4, 3e-3), b, true, ra2);
    assertEquals(2, t.resume());
    t.train(train, train, List.of());
    for (var e : full.parameters().entrySet())
      assertArrayEquals(e.getValue().toFloatArray(), resumed.parameters().get(e.getKey()).toFloatArray(), 0f, "parameter " + e.getKey());
    for (var e : fa.head().parameters().entrySet())
      assertArrayEquals(e.getValue().toFloatArray(), ra2.head().parameters().get(e.getKey()).toFloatArray(), 0f, "alignment " + e.getKey());
    assertTrue(Files.exists(t.alignerCheckpoint()));
  }

  @Test
  void divergingLossStopsWithClearErrorAndKeepsLastCheckpoint() throws Exception {
    BpeTokenizer[] tok = new BpeTokenizer[1];
    PairSet train = pairs(tok);
    Identifiers ids = TinyRetrievalTest.tinyIds(12);
    Path dir = Files.createTempDirectory("cart-nan");
    Rng r = new Rng(1);
    CartModel m = model(tok[0], ids, r);
    Trainer ok = new Trainer(m, r, ids, cfg(1, 3e-3), dir, true);
    ok.train(train, null, List.of());
    byte[] before = Files.readAllBytes(ok.lastCheckpoint());
    // Poison one weight: the next loss is NaN.
    Tensor w = m.parameters().values().iterator().next();
    float[] v = w.toFloatArray();
    v[0] = Float.NaN;
    org.cartengine.engine.nn.Module.assign(w, Tensor.of(w.backend(), v, w.shape()));
    Trainer more = new Trainer(m, r, ids, cfg(3, 3e-3), dir, true);
    more.resume();
    org.cartengine.engine.nn.Module.assign(w, Tensor.of(w.backend(), v, w.shape()));
    TrainingDiverged e = assertThrows(TrainingDiverged.class, () -> more.train(train, null, List.of()));
    assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("unchanged"), e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(ok.lastCheckpoint()), "last good checkpoint must be untouched");
  }
}
