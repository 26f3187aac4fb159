package org.cartengine.cart.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.cartengine.cart.data.PairSet;
import org.cartengine.cart.ids.Identifiers;
import org.cartengine.cart.model.CartConfig;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.search.Evaluator;
import org.cartengine.cart.search.Metrics;
import org.cartengine.cart.text.BpeTokenizer;
import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Backends;
import org.cartengine.engine.nn.Rng;
import org.junit.jupiter.api.Test;

/** A tiny synthetic corpus is learned perfectly: every query retrieves its item first. */
class TinyRetrievalTest {

  static final String[] COLORS = {"red", "green", "blue", "yellow", "black"};
  static final String[] THINGS = {"cat", "car", "tree", "house"};

  static Identifiers tinyIds(int n) {
    int[] t = new int[n * 3];
    for (int i = 0; i < n; i++) {
      t[i * 3] = i % 4;
      t[i * 3 + 1] = (i / 4) % 5;
      t[i * 3 + 2] = 0;
    }
    return new Identifiers(t, n, 3, new int[] {4, 5, 1});
  }

  @Test
  void learnsTinyCorpusToPerfectRecall() throws Exception {
    int n = 20;
    List<String> texts = new ArrayList<>();
    List<Integer> items = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      texts.add(COLORS[i / 4] + " " + THINGS[i % 4]);
      items.add(i);
      texts.add("a " + THINGS[i % 4] + " that is " + COLORS[i / 4]);
      items.add(i);
    }
    BpeTokenizer tok = BpeTokenizer.train(texts, 200, 2);
    List<int[]> q = new ArrayList<>();
    List<Set<Integer>> rel = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      q.add(tok.encode(texts.get(i)));
      rel.add(Set.of(items.get(i)));
    }
    PairSet train = new PairSet(q, items.stream().mapToInt(Integer::intValue).toArray(), rel, texts);
    Identifiers ids = tinyIds(n);
    Rng rng = new Rng(5);
    CartConfig cfg = new CartConfig(tok.vocabSize(), ids.vocabSizes(), 32, 2, 64, 2, 2, 0.1, 16, true);
    CartModel model = new CartModel(Backends.get(), DType.F32, rng, cfg);
    TrainConfig tc = new TrainConfig(60, 16, 3e-3, 1e-4, 20, 60, 1, true, 0.15, 0.0, 1.0, 5, 30, 0);
    Path dir = Files.createTempDirectory("cart-tiny");
    Trainer tr = new Trainer(model, rng, ids, tc, dir, true);
    tr.train(train, train, List.of());
    Metrics m = Evaluator.evaluate(model, ids.trie(), train, 5, 64);
    assertEquals(100.0, m.r1(), 1e-9, "R@1 on the training queries: " + m);
  }
}
