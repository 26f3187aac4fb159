package org.cartengine.cart.baseline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cartengine.cart.search.ExactTopK;
import org.cartengine.cart.search.HnswIndex;
import org.cartengine.cart.text.CaptionSpace;
import org.cartengine.cart.text.TextEmbedder;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;

/**
 * The training-free baseline a user tries first with a pretrained sentence encoder: every item is the mean embedding of its
 * train captions ({@link CaptionSpace}), the query is embedded the same way, and items are ranked by cosine over the whole
 * corpus (brute force). It is what a trained retriever must beat to be worth its training.
 */
public final class CaptionMatch {
  private final TextEmbedder encoder;
  private final CaptionSpace.Space space;

  private final Backend be;

  /** Scores with the process's backend ({@link Backends#get()}). */
  public CaptionMatch(TextEmbedder encoder, CaptionSpace.Space space) {
    this(Backends.get(), encoder, space);
  }

  public CaptionMatch(Backend be, TextEmbedder encoder, CaptionSpace.Space space) {
    this.be = be;
    this.encoder = encoder;
    this.space = space;
  }

  /** The top-k items of each query, best first. */
  public List<int[]> rank(List<String> queries, int k, int batch) {
    return rank(queries, k, batch, null, 0);
  }

  /**
   * The top-k items of each query from an approximate index over the caption space ({@link #buildAnn}), searching
   * {@code ef} candidates; with {@code ann} null, exact.
   */
  public List<int[]> rank(List<String> queries, int k, int batch, HnswIndex ann, int ef) {
    List<int[]> out = new ArrayList<>(queries.size());
    int n = space.n(), d = space.dim();
    float[] v = space.vectors();
    for (int s = 0; s < queries.size(); s += batch) {
      float[][] q = encoder.embed(queries.subList(s, Math.min(queries.size(), s + batch)));
      float[] qv = new float[q.length * d];
      for (int i = 0; i < q.length; i++) System.arraycopy(q[i], 0, qv, i * d, d);
      out.addAll(Arrays.asList(ann == null ? ExactTopK.search(be, qv, q.length, v, n, d, k) : ann.search(qv, q.length, k, Math.max(k, ef))));
    }
    return out;
  }

  /** An HNSW graph (Lucene's defaults) over the caption space, in memory. */
  public HnswIndex buildAnn() {
    return HnswIndex.build(space.vectors(), space.n(), space.dim(), HnswIndex.DEFAULT_M, HnswIndex.DEFAULT_BEAM_WIDTH, null, null);
  }
}
