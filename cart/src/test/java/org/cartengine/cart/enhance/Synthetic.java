package org.cartengine.cart.enhance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.cartengine.cart.data.Caption;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.data.DatasetWriter;
import org.cartengine.cart.data.DatasetInfo;
import org.cartengine.cart.data.Embeddings;
import org.cartengine.cart.data.Split;

/** Small random datasets for the enhancement tests, written through the public writer and read back. */
final class Synthetic {
  private Synthetic() {}

  /** Words WordNet knows and phrases of them, so every method has material. */
  static final List<String> VOCAB = List.of("dog", "puppy", "face", "head", "red", "apple", "happy", "cat", "small",
      "bird", "tree", "house", "car", "blue", "smile", "dog face", "red apple", "small bird", "happy cat face",
      "blue car", "tall tree", "the old house", "a puppy with a ball");

  static String text(Random r) {
    return VOCAB.get(r.nextInt(VOCAB.size()));
  }

  static List<String> ids(int n) {
    return IntStream.range(0, n).mapToObj(i -> "item" + i).toList();
  }

  /** n x d standard normal values. */
  static float[] gaussian(Random r, int n, int d) {
    float[] v = new float[n * d];
    for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
    return v;
  }

  /**
   * Random captions in all splits, interleaved: each item gets a train text with probability {@code pTrain} (then
   * up to two more), and up to two val and two test texts.
   */
  static List<Caption> captions(Random r, int n, double pTrain) {
    List<Caption> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (r.nextDouble() < pTrain) {
        int k = 1 + r.nextInt(3);
        for (int t = 0; t < k; t++) out.add(new Caption(i, null, text(r), Split.TRAIN));
      }
      for (int t = r.nextInt(3); t > 0; t--) out.add(new Caption(i, null, text(r), Split.VAL));
      for (int t = r.nextInt(3); t > 0; t--) out.add(new Caption(i, null, text(r), Split.TEST));
    }
    java.util.Collections.shuffle(out, r);
    return out;
  }

  static Dataset write(Path dir, float[] emb, int n, int d, List<Caption> captions) {
    DatasetWriter.write(dir, DatasetInfo.of("synthetic", "image", "random vectors", "made up", "CC0"), ids(n), null, null,
        Embeddings.of(emb, n, d), captions);
    return Dataset.load(dir);
  }

  /** jqwik properties get no JUnit {@code @TempDir}: they use this and {@link #deleteTree}. */
  static Path tempDir() throws IOException {
    return Files.createTempDirectory("cart-enhance-test");
  }

  static void deleteTree(Path root) throws IOException {
    try (var walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }

  /** A caption as a comparable string: item id, split, source, text. */
  static String key(Caption c) {
    return c.itemId() + "|" + c.split().json() + "|" + c.source() + "|" + c.text();
  }

  static List<String> keys(List<Caption> cs) {
    return cs.stream().map(Synthetic::key).toList();
  }
}
