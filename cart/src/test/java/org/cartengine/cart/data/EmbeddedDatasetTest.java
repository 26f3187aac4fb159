package org.cartengine.cart.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded default dataset: its documented counts, its meaning, and that it loads from inside a jar. */
class EmbeddedDatasetTest {
  static Dataset emoji;

  @BeforeAll
  static void load() {
    emoji = Dataset.loadEmbedded("emoji");
  }

  @Test
  void noValQueryIsATestLabel() {
    java.util.Set<String> labels = new java.util.HashSet<>();
    for (Caption c : emoji.captions(Split.TEST)) labels.add(norm(c.text()));
    for (Caption c : emoji.captions(Split.VAL)) assertFalse(labels.contains(norm(c.text())), "val text is a test label: " + c.text());
  }

  private static String norm(String s) {
    return s.toLowerCase(java.util.Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]+", " ").trim();
  }

  @Test
  void hasTheDocumentedCounts() {
    assertEquals(1911, emoji.size(), "base emoji of emoji-datasource-twitter 16.0.0");
    assertEquals(1280, emoji.dim(), "MobileNetV2 pooled features");
    assertEquals(Npy.Dtype.F2, emoji.dtype());
    assertEquals(19725, emoji.captions(Split.TRAIN).size());
    assertEquals(633, emoji.captions(Split.VAL).size(), "enough val queries to select an epoch on");
    assertEquals(1911, emoji.captions(Split.TEST).size());
    DatasetInfo info = emoji.info();
    assertEquals("emoji", info.name());
    assertEquals("image", info.modality());
    assertTrue(info.license().contains("CC-BY 4.0") && info.license().contains("Twitter, Inc and other contributors"));
    assertTrue(info.extra().has("splits_rule"));
  }

  @Test
  void everyItemHasOneTestLabelAndTrainCaptions() {
    int[] test = new int[emoji.size()];
    int[] train = new int[emoji.size()];
    for (Caption c : emoji.captions(Split.TEST)) test[c.item()]++;
    for (Caption c : emoji.captions(Split.TRAIN)) train[c.item()]++;
    for (int i = 0; i < emoji.size(); i++) {
      assertEquals(1, test[i], emoji.id(i));
      assertTrue(train[i] > 0, emoji.id(i));
    }
    int dog = emoji.indexOf("1F436");
    assertEquals("\uD83D\uDC36", emoji.label(dog));
    assertEquals(List.of("dog face"), emoji.captions(Split.TEST).stream().filter(c -> c.item() == dog)
        .map(Caption::text).toList());
  }

  /** The features carry meaning: a flag's cosine nearest neighbour is almost always another flag. */
  @Test
  void flagsAreNearestToFlags() {
    Map<Integer, String> label = new HashMap<>();
    for (Caption c : emoji.captions(Split.TEST)) label.put(c.item(), c.text());
    int n = emoji.size();
    int d = emoji.dim();
    float[] x = emoji.embeddings().toArray();
    for (int i = 0; i < n; i++) {
      double norm = 0;
      for (int j = 0; j < d; j++) norm += x[i * d + j] * x[i * d + j];
      float inv = (float) (1 / Math.sqrt(norm));
      for (int j = 0; j < d; j++) x[i * d + j] *= inv;
    }
    int flags = 0;
    int flagNearFlag = 0;
    for (int i = 0; i < n; i++) {
      if (!label.get(i).startsWith("flag:")) continue;
      flags++;
      int best = -1;
      float bestDot = -2;
      for (int k = 0; k < n; k++) {
        if (k == i) continue;
        float dot = 0;
        for (int j = 0; j < d; j++) dot += x[i * d + j] * x[k * d + j];
        if (dot > bestDot) {
          bestDot = dot;
          best = k;
        }
      }
      if (label.get(best).startsWith("flag:")) flagNearFlag++;
    }
    assertTrue(flags > 250, "flags: " + flags);
    // measured 206 of 262 (79%); chance would be about flags / n = 14%
    assertTrue(flagNearFlag > 0.7 * flags, flagNearFlag + " of " + flags + " flags have a flag as nearest neighbour");
  }

  @Test
  void unknownNamesAreNotEmbedded() {
    assertFalse(Dataset.isEmbedded("nope"));
    assertFalse(Dataset.isEmbedded("../emoji"));
    assertThrows(DatasetException.class, () -> Dataset.loadEmbedded("nope"));
  }

  /**
   * Loads the dataset through a class loader that sees only a jar holding the data classes (and the CLI's user-error type
   * they extend) and the dataset, as inside
   * the shaded cart-engine.jar: resources are jar entries read as streams, never file paths.
   */
  @Test
  void loadsFromInsideAJar(@TempDir Path tmp) throws Exception {
    Path classes = Path.of(Dataset.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path jar = tmp.resolve("data.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      copyTree(classes, classes.resolve("org/cartengine/cart/data"), out);
      copyTree(classes, classes.resolve("org/cartengine/cart/UserError.class"), out);  // DatasetException's superclass
      copyTree(classes, classes.resolve("datasets/emoji"), out);
    }
    URL gson = com.google.gson.JsonObject.class.getProtectionDomain().getCodeSource().getLocation();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL(), gson},
        ClassLoader.getPlatformClassLoader())) {
      Class<?> cls = loader.loadClass(Dataset.class.getName());
      assertEquals(jar.toUri().toURL(), cls.getProtectionDomain().getCodeSource().getLocation());
      assertEquals("jar", cls.getResource("/datasets/emoji/items.npy").getProtocol());
      Object d = cls.getMethod("loadEmbedded", String.class).invoke(null, "emoji");
      Method size = cls.getMethod("size");
      assertEquals(1911, size.invoke(d));
      Method captions = cls.getMethod("captions");
      assertEquals(emoji.captions().size(), ((List<?>) captions.invoke(d)).size());
    }
  }

  private static void copyTree(Path root, Path dir, JarOutputStream out) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        out.putNextEntry(new JarEntry(root.relativize(p).toString().replace('\\', '/')));
        Files.copy(p, out);
        out.closeEntry();
      }
    }
  }
}
