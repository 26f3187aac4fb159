package org.cartengine.cart.baseline;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.cartengine.cart.search.TopK;
import org.cartengine.cart.text.CaptionSpace;
import org.cartengine.cart.text.TextEmbedder;

/**
 * The training-free baseline a user tries first with a pretrained sentence encoder: every item is the mean embedding of its
 * train captions ({@link CaptionSpace}), the query is embedded the same way, and items are ranked by cosine over the whole
 * corpus (brute force). It is what a trained retriever must beat to be worth its training.
 */
public final class CaptionMatch {
  private final TextEmbedder encoder;
  private final CaptionSpace.Space space;

  public CaptionMatch(TextEmbedder encoder, CaptionSpace.Space space) {
    this.encoder = encoder;
    this.space = space;
  }

  /** The top-k items of each query, best first. */
  public List<int[]> rank(List<String> queries, int k, int batch) {
    List<int[]> out = new ArrayList<>(queries.size());
    int n = space.n(), d = space.dim();
    float[] v = space.vectors();
    for (int s = 0; s < queries.size(); s += batch) {
      float[][] q = encoder.embed(queries.subList(s, Math.min(queries.size(), s + batch)));
      int[][] tops = new int[q.length][];
      IntStream.range(0, q.length).parallel().forEach(i -> {
        float[] scores = new float[n];
        float[] qi = q[i];
        for (int j = 0; j < n; j++) {
          float acc = 0;
          for (int x = 0, o = j * d; x < d; x++) acc += qi[x] * v[o + x];
          scores[j] = acc;
        }
        tops[i] = TopK.topK(scores, 0, n, k);
      });
      for (int[] t : tops) out.add(t);
    }
    return out;
  }
}
