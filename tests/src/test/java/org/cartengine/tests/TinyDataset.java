package org.cartengine.tests;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import org.cartengine.cart.data.Caption;
import org.cartengine.cart.data.DatasetInfo;
import org.cartengine.cart.data.DatasetWriter;
import org.cartengine.cart.data.Embeddings;
import org.cartengine.cart.data.Split;

/**
 * The cross-module suites' tiny dataset: 30 items whose 12-d embeddings carry a colour and a thing (one direction
 * each, plus noise), with two train captions, one val and one test caption per item.
 */
public final class TinyDataset {
  public static final String[] COLORS = {"red", "green", "blue", "yellow", "black", "white"};
  public static final String[] THINGS = {"cat", "car", "tree", "house", "boat"};
  public static final int N = COLORS.length * THINGS.length;
  static final int DIM = 12;

  private TinyDataset() {}

  /** Item i's label, "colour thing". */
  public static String label(int i) {
    return COLORS[i / THINGS.length] + " " + THINGS[i % THINGS.length];
  }

  /**
   * Writes the dataset to {@code dir}. {@code media} gives item i's media path ("" for none); null writes items.tsv
   * without media or labels.
   */
  public static void write(Path dir, String name, IntFunction<String> media) {
    Random r = new Random(4);
    float[] emb = new float[N * DIM];
    List<String> ids = new ArrayList<>(), paths = new ArrayList<>(), labels = new ArrayList<>();
    List<Caption> caps = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      String color = COLORS[i / THINGS.length], thing = THINGS[i % THINGS.length];
      emb[i * DIM + i / THINGS.length] = 1f;
      emb[i * DIM + COLORS.length + i % THINGS.length] = 1f;
      for (int j = 0; j < DIM; j++) emb[i * DIM + j] += (float) (0.05 * r.nextGaussian());
      String id = "item" + i;
      ids.add(id);
      if (media != null) {
        paths.add(media.apply(i));
        labels.add(label(i));
      }
      caps.add(new Caption(i, id, color + " " + thing, Split.TRAIN));
      caps.add(new Caption(i, id, "a " + thing + " in " + color, Split.TRAIN));
      caps.add(new Caption(i, id, "the " + color + " " + thing, Split.VAL));
      caps.add(new Caption(i, id, thing + " that is " + color, Split.TEST));
    }
    DatasetWriter.write(dir, DatasetInfo.of(name, "image", "synthetic", "test", "CC0"), ids, media == null ? null : paths,
        media == null ? null : labels, Embeddings.of(emb, N, DIM), caps);
  }
}
