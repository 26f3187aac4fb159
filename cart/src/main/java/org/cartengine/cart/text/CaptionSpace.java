package org.cartengine.cart.text;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cartengine.cart.data.Caption;

/**
 * Items placed in a sentence encoder's space: each item is the normalised mean embedding of its train captions, the space
 * its queries live in. The paper builds identifiers from ImageBind embeddings, which are aligned with text; item embeddings
 * from an image-only network (the datasets' MobileNetV2 features) group items by look while queries name meaning, so this
 * space is the text-aligned one for identifiers (section 3.2), for the re-rank and for the caption-matching baseline.
 *
 * <p>An item without a train caption ("cold") has no mean; it gets the similarity-weighted mean of the caption vectors of
 * its {@link #NEIGHBOURS} nearest captioned items in the item-embedding space (the only thing known about it), with weights
 * {@code exp(cos / TEMPERATURE)}: what its look-alikes are called.
 *
 * <p>Only human captions place an item. Generated captions (pseudo-queries, those with a {@link Caption#source()}) train
 * the retriever but are left out here: a cold item's pseudo-queries are its look-alikes' best-scored captions, a
 * coarser copy of what the weighted neighbour mean gives it. Val caption matching over the queries for cold items
 * (bench/enhance/cold_placement.py), R@1 / MRR@10 of the neighbour mean against the mean of 3 pseudo-queries:
 * clipart-dev-cold 8.47 / 17.67 against 8.47 / 11.96; emoji with 30% of its items made cold 52.28 / 54.81 against
 * 37.06 / 45.76; clipart-dev likewise 11.67 / 20.07 against 5.00 / 10.58. A dataset whose captions are all generated
 * is placed by all of them.
 */
public final class CaptionSpace {
  /** Captioned look-alikes a cold item borrows its vector from. */
  public static final int NEIGHBOURS = 10;
  /** Softmax temperature over their item-embedding cosines. */
  public static final double TEMPERATURE = 0.05;

  /**
   * @param vectors [n, dim] row-major, each row unit length
   * @param captioned items that have a train caption (the others are mapped from their neighbours)
   */
  public record Space(float[] vectors, int n, int dim, BitSet captioned) {
    public float[] row(int i) {
      float[] r = new float[dim];
      System.arraycopy(vectors, i * dim, r, 0, dim);
      return r;
    }
  }

  private CaptionSpace() {}

  /** Saves the vectors as a float32 .npy, atomically (a run directory keeps them so that eval and serve need not re-embed). */
  public static void save(java.nio.file.Path file, Space s) throws java.io.IOException {
    org.cartengine.engine.io.AtomicFiles.write(file, (java.io.OutputStream out) -> org.cartengine.cart.data.Npy.write(out,
        org.cartengine.cart.data.Embeddings.of(s.vectors(), s.n(), s.dim()), org.cartengine.cart.data.Npy.Dtype.F4));
  }

  /** Vectors saved by {@link #save}; every row counts as captioned. */
  public static Space load(java.nio.file.Path file) {
    org.cartengine.cart.data.Embeddings e = org.cartengine.cart.data.Npy.map(file);
    BitSet all = new BitSet(e.rows());
    all.set(0, e.rows());
    return new Space(e.toArray(), e.rows(), e.dim(), all);
  }

  /**
   * @param items the item embeddings [n, itemDim] row-major (any scale; normalised here for the neighbour search)
   */
  public static Space build(TextEmbedder enc, List<Caption> train, float[] items, int n, int itemDim) {
    // Each distinct text is embedded once (captions repeat across items, tags more so).
    if (train.stream().anyMatch(c -> c.source() == null)) train = train.stream().filter(c -> c.source() == null).toList();
    Map<String, Integer> index = new HashMap<>();
    List<String> texts = new ArrayList<>();
    for (Caption c : train) index.computeIfAbsent(c.text(), t -> {
      texts.add(t);
      return texts.size() - 1;
    });
    float[][] e = enc.embed(texts);
    int d = enc.dim();
    float[] v = new float[n * d];
    int[] count = new int[n];
    for (Caption c : train) {
      float[] x = e[index.get(c.text())];
      int o = c.item() * d;
      for (int j = 0; j < d; j++) v[o + j] += x[j];
      count[c.item()]++;
    }
    BitSet captioned = new BitSet(n);
    for (int i = 0; i < n; i++) if (count[i] > 0) captioned.set(i);
    if (captioned.cardinality() < n && captioned.cardinality() > 0) fillFromNeighbours(v, d, captioned, items, n, itemDim);
    normalise(v, n, d);
    return new Space(v, n, d, captioned);
  }

  private static void fillFromNeighbours(float[] v, int d, BitSet captioned, float[] items, int n, int itemDim) {
    float[] x = items.clone();
    normalise(x, n, itemDim);
    normalise(v, n, d); // captioned rows become means of unit vectors, on one scale
    int[] known = captioned.stream().toArray();
    int k = Math.min(NEIGHBOURS, known.length);
    java.util.stream.IntStream.range(0, n).parallel().filter(i -> !captioned.get(i)).forEach(i -> {
      float[] cos = new float[known.length];
      for (int a = 0; a < known.length; a++) {
        double s = 0;
        int oi = i * itemDim, oj = known[a] * itemDim;
        for (int j = 0; j < itemDim; j++) s += x[oi + j] * x[oj + j];
        cos[a] = (float) s;
      }
      int[] top = largest(cos, k);
      double max = cos[top[0]];
      for (int t : top) {
        double w = Math.exp((cos[t] - max) / TEMPERATURE);
        int src = known[t] * d, dst = i * d;
        for (int j = 0; j < d; j++) v[dst + j] += (float) (w * v[src + j]);
      }
    });
  }

  /** Indices of the k largest values, largest first (k is small: a selection by insertion). */
  static int[] largest(float[] v, int k) {
    int[] top = new int[k];
    int size = 0;
    for (int i = 0; i < v.length; i++) {
      if (size == k && v[i] <= v[top[k - 1]]) continue;
      int j = size < k ? size++ : k - 1;
      while (j > 0 && v[top[j - 1]] < v[i]) {
        top[j] = top[j - 1];
        j--;
      }
      top[j] = i;
    }
    return top;
  }

  static void normalise(float[] x, int n, int d) {
    org.cartengine.cart.ids.CoarseFineModel.l2Normalize(x, n, d);
  }
}
