package org.cartengine.cart.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Small datasets for tests, written through the public writer. */
final class TestDatasets {
  private TestDatasets() {}

  static final List<String> IDS = List.of("a", "b", "c");

  /** 3 items x 4 dims, 6 captions over all splits, one with a source. */
  static Path writeSmall(Path dir) {
    float[] v = new float[12];
    for (int i = 0; i < v.length; i++) v[i] = i * 0.25f - 1;
    List<Caption> caps = List.of(
        new Caption(0, "a", "a red apple", Split.TRAIN),
        new Caption(0, "a", "an apple", Split.TEST),
        new Caption(1, "b", "a banana", Split.TRAIN),
        new Caption(1, "b", "yellow fruit", Split.VAL),
        new Caption(2, "c", "a cherry", Split.TEST),
        new Caption(2, "c", "small red fruit", Split.TRAIN, "neighbour-transfer"));
    DatasetWriter.write(dir, DatasetInfo.of("small", "image", "test vectors", "made up", "CC0"), IDS,
        List.of("img/a.png", "", "img/c.png"), List.of("apple", "", "cherry"), Embeddings.of(v, 3, 4), caps);
    return dir;
  }

  /** jqwik properties get no JUnit {@code @TempDir}: they use this and {@link #deleteTree}. */
  static Path tempDir() throws IOException {
    return Files.createTempDirectory("cart-data-test");
  }

  static void deleteTree(Path root) throws IOException {
    try (var walk = Files.walk(root)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }

  static void replace(Path file, String from, String to) throws IOException {
    String s = Files.readString(file, StandardCharsets.UTF_8);
    if (!s.contains(from)) throw new AssertionError(file + " has no " + from);
    Files.writeString(file, s.replace(from, to), StandardCharsets.UTF_8);
  }
}
