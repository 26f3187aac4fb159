package org.cartengine.cart.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.cartengine.cart.ids.Identifiers;
import org.cartengine.cart.model.CartConfig;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.search.Evaluator;
import org.cartengine.cart.search.Metrics;
import org.cartengine.cart.search.QueryBatch;
import org.cartengine.cart.data.PairSet;
import org.cartengine.cart.train.TrainConfig;
import org.cartengine.cart.train.Trainer;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;
import org.cartengine.engine.nn.Rng;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The retriever on the frozen all-MiniLM-L6-v2 token features (the model files come with the build). */
class PretrainedQueryFeaturesTest {
  static Backend be;
  static SentenceEncoder enc;

  @BeforeAll
  static void load() throws Exception {
    be = Backends.get();
    enc = SentenceEncoder.load(be);
  }

  @Test
  void featuresAreTheLastHiddenLayerOfEachRowZeroAtPaddingAndCached() {
    PretrainedQueryFeatures f = new PretrainedQueryFeatures(enc, be);
    WordPieceTokenizer tok = enc.tokenizer();
    List<int[]> q = List.of(tok.encode("a red car"), tok.encode("the green tree by the house"), tok.encode(""));
    QueryBatch b = QueryBatch.of(be, q, 16);
    float[] x = f.features(b.ids(), b.padding()).toFloatArray();
    int t = b.length(), d = f.dim();
    float[][] direct = enc.lastHiddenIds(q);
    for (int i = 0; i < q.size(); i++) {
      float[] row = java.util.Arrays.copyOfRange(x, i * t * d, i * t * d + q.get(i).length * d);
      assertArrayEquals(direct[i], row, 1e-5f, "row " + i);
      for (int j = q.get(i).length * d; j < t * d; j++) assertEquals(0f, x[i * t * d + j], "padding of row " + i);
    }
    // "a red car" alone: the same features from the cache (no dependence on the other rows of a batch).
    QueryBatch one = QueryBatch.of(be, List.of(q.get(0)), 16);
    assertArrayEquals(direct[0], f.features(one.ids(), one.padding()).toFloatArray(), 1e-5f);
  }

  @Test
  void aQuerysFeaturesPassAlsoGivesItsSentenceEmbedding() throws Exception {
    // A fresh encoder, so that nothing another test embedded is cached.
    SentenceEncoder mine = SentenceEncoder.load(be);
    PretrainedQueryFeatures f = new PretrainedQueryFeatures(mine, be);
    List<String> texts = List.of("a purple umbrella in the rain", "two small boats");
    List<int[]> q = texts.stream().map(mine.tokenizer()::encode).toList();
    QueryBatch b = QueryBatch.of(be, q, 24);
    f.features(b.ids(), b.padding());
    long passes = mine.encodedSequences();
    assertEquals(2, passes);
    float[][] cached = mine.encode(texts);
    assertEquals(passes, mine.encodedSequences(), "the features' pass already embedded both texts");
    // The same embeddings as an encoder that never saw the texts computes (with a third, longer text in its batch).
    float[][] direct = SentenceEncoder.load(be).encode(List.of(texts.get(0), "an unrelated and much longer sentence about trains and stations", texts.get(1)));
    assertArrayEquals(direct[0], cached[0], 1e-5f);
    assertArrayEquals(direct[2], cached[1], 1e-5f);
    // What the cache hands out is a copy: changing it does not change the next answer.
    cached[0][0] += 1;
    assertArrayEquals(direct[0], mine.encode(List.of(texts.get(0)))[0], 1e-5f);
    mine.encode(List.of("a text not seen before"));
    assertEquals(passes + 1, mine.encodedSequences());
  }

  @Test
  void prepareRunsTheEncoderOnceForTheBatchAndItsSlicesReadTheCache() throws Exception {
    SentenceEncoder mine = SentenceEncoder.load(be);
    PretrainedQueryFeatures f = new PretrainedQueryFeatures(mine, be);
    List<int[]> q = List.of("one yellow bus", "a cat asleep on a warm sofa", "rain", "three tall towers at night").stream().map(mine.tokenizer()::encode).toList();
    QueryBatch b = QueryBatch.of(be, q, 24);
    f.prepare(b.ids(), b.padding());
    assertEquals(4, mine.encodedSequences());
    QueryBatch tail = b.rows(be, 2, 4);
    float[] x = f.features(tail.ids(), tail.padding()).toFloatArray();
    assertEquals(4, mine.encodedSequences(), "the slice's features came from the cache");
    float[][] direct = SentenceEncoder.load(be).lastHiddenIds(q.subList(2, 4));
    int t = tail.length(), d = f.dim();
    for (int i = 0; i < 2; i++)
      assertArrayEquals(direct[i], java.util.Arrays.copyOfRange(x, i * t * d, i * t * d + q.get(2 + i).length * d), 1e-5f, "row " + i);
  }

  @Test
  void layerFeaturesAreTheEncodersLastLayersInOrder() {
    PretrainedQueryFeatures f = new PretrainedQueryFeatures(enc, be, 3);
    WordPieceTokenizer tok = enc.tokenizer();
    List<String> texts = List.of("a red car", "the green tree by the house");
    List<int[]> q = texts.stream().map(tok::encode).toList();
    QueryBatch b = QueryBatch.of(be, q, 16);
    List<Tensor> layers = f.layerFeatures(b.ids(), b.padding());
    assertEquals(3, layers.size());
    // Independently: every hidden state of the same texts in one padded batch.
    SentenceEncoder.HiddenStates h = enc.hiddenStates(texts);
    int t = b.length(), d = f.dim(), th = h.layers().get(0).dim(1);
    for (int l = 0; l < 3; l++) {
      float[] got = layers.get(l).toFloatArray(), want = h.layers().get(h.layers().size() - 3 + l).toFloatArray();
      for (int i = 0; i < q.size(); i++)
        assertArrayEquals(java.util.Arrays.copyOfRange(want, i * th * d, (i * th + q.get(i).length) * d),
            java.util.Arrays.copyOfRange(got, i * t * d, (i * t + q.get(i).length) * d), 1e-4f, "layer " + l + " row " + i);
    }
    assertArrayEquals(layers.get(2).toFloatArray(), f.features(b.ids(), b.padding()).toFloatArray(), "features() is the last layer");
    assertTrue(new PretrainedQueryFeatures(enc, be, 1).features(b.ids(), b.padding()).toFloatArray().length == t * d * q.size());
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new PretrainedQueryFeatures(enc, be, 7));
  }

  @Test
  void retrieverLearnsFromPretrainedFeaturesAndGeneralisesToASynonym() throws Exception {
    learnsAndGeneralises(0);
  }

  @Test
  void retrieverOnThePretrainedLayersAsFusionMemoryLearnsAndGeneralises() throws Exception {
    learnsAndGeneralises(3);
  }

  void learnsAndGeneralises(int textLayers) throws Exception {
    String[] colours = {"red", "green", "blue", "yellow"};
    String[] things = {"car", "dog", "tree", "house"};
    int n = 16;
    WordPieceTokenizer tok = WordPieceTokenizer.load(ModelFiles.locate().tokenizer(), 16);
    List<String> texts = new ArrayList<>();
    List<Integer> items = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      texts.add(colours[i / 4] + " " + things[i % 4]);
      items.add(i);
      texts.add("a " + things[i % 4] + " that is " + colours[i / 4]);
      items.add(i);
    }
    List<int[]> q = new ArrayList<>();
    List<Set<Integer>> rel = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      q.add(tok.encode(texts.get(i)));
      rel.add(Set.of(items.get(i)));
    }
    PairSet train = new PairSet(q, items.stream().mapToInt(Integer::intValue).toArray(), rel, texts);
    int[] t = new int[n * 3];
    for (int i = 0; i < n; i++) {
      t[i * 3] = i % 4;
      t[i * 3 + 1] = i / 4;
    }
    Identifiers ids = new Identifiers(t, n, 3, new int[] {4, 4, 1});
    Rng rng = new Rng(5);
    CartModel model = new CartModel(be, DType.F32, rng, new CartConfig(tok.vocabSize(), ids.vocabSizes(), 32, 2, 64, 2, 2, 0.1, 16, true, enc.dim(), textLayers));
    PretrainedQueryFeatures f = new PretrainedQueryFeatures(enc, be, Math.max(1, textLayers));
    model.attach(f);
    f.warm(q, 16);
    Path dir = Files.createTempDirectory("cart-pretrained");
    new Trainer(model, rng, ids, new TrainConfig(40, 16, 3e-3, 1e-4, 10, 40, 1, true, 0.15, 0.0, 1.0, 4, 40, 0), dir, true).train(train, train, List.of());
    Metrics m = Evaluator.evaluate(model, ids.trie(), train, 4, 64);
    assertEquals(100.0, m.r1(), 1e-9, "text layers " + textLayers + ": R@1 on the training queries: " + m);
    // Words never seen in training: "automobile" for car, "puppy" for dog. The pretrained features place them near the
    // trained words, so the thing (the coarse token) is right more often than chance (1 in 4).
    List<String> unseen = List.of("red automobile", "green automobile", "blue puppy", "yellow puppy");
    int[] want = {0, 4, 9, 13};
    List<int[]> uq = unseen.stream().map(tok::encode).toList();
    List<Set<Integer>> urel = new ArrayList<>();
    for (int w : want) urel.add(Set.of(w));
    Metrics u = Evaluator.evaluate(model, ids.trie(), new PairSet(uq, want, urel, unseen), 4, 64);
    assertTrue(u.r10() >= 75.0, "text layers " + textLayers + ": unseen synonyms within the top 4 of 16: " + u);
  }
}
