package org.cartengine.cart.search;

import java.util.List;
import org.cartengine.cart.ids.PrefixTrie;
import org.cartengine.cart.text.CaptionSpace;
import org.cartengine.cart.text.TextEmbedder;

/**
 * Beam search guided by the caption space the identifiers were built in. Every trie node stands for the items below it;
 * its vector is their mean caption-space vector (normalised): the coarse token's node is its topic, a leaf is one item. A
 * beam entering a node gains {@code weight * cos(query, node) / T} with the query embedded by the same pretrained encoder,
 * so the prefixes a query's meaning points to stay in the beam even where the retriever, trained on a few thousand
 * captions, has not learned the query's words. The cost is one dot product per expanded node: flat in the corpus size.
 */
public final class CaptionPrior {
  /** The same logit scale as the re-rank's: cos / 0.05. */
  public static final double TEMPERATURE = CaptionTower.TEMPERATURE;
  /** Weights tried on val by train (0 = the retriever's own beam). */
  public static final double[] WEIGHT_GRID = {0, 0.25, 0.5, 1.0};

  private final TextEmbedder encoder;
  private final float[] nodes;
  private final int dim;

  public CaptionPrior(TextEmbedder encoder, CaptionSpace.Space space, PrefixTrie trie) {
    this.encoder = encoder;
    this.dim = space.dim();
    this.nodes = nodeVectors(space, trie);
  }

  /** Mean caption-space vector of the items under each trie node, normalised (children follow their parent in the trie's order). */
  static float[] nodeVectors(CaptionSpace.Space space, PrefixTrie trie) {
    int d = space.dim(), n = trie.nodeCount();
    float[] v = new float[n * d];
    float[] x = space.vectors();
    for (int node = n - 1; node >= 0; node--) {
      if (trie.isLeaf(node)) {
        System.arraycopy(x, trie.item(node) * d, v, node * d, d);
        continue;
      }
      for (int i = 0; i < trie.childCount(node); i++) {
        int c = trie.child(node, i);
        if (c <= node) throw new IllegalStateException("trie child " + c + " precedes its parent " + node);
        for (int j = 0; j < d; j++) v[node * d + j] += v[c * d + j];
      }
    }
    org.cartengine.cart.ids.CoarseFineModel.l2Normalize(v, n, d);
    return v;
  }

  /**
   * The prior for a batch of query texts at {@code weight} (null at weight 0). The texts are embedded on the first score
   * asked for, not here: a search prepares the retriever's per-token query features before it scores a node, and that
   * pass of the pretrained encoder caches each query's sentence embedding too, so the guide reads it instead of running
   * the encoder a second time (on a server, that second pass was 45% of an unseen query's CPU time).
   */
  public BeamPrior forQueries(List<String> texts, double weight) {
    if (weight == 0) return null;
    return new Lazy(List.copyOf(texts), weight / TEMPERATURE);
  }

  /**
   * a . b[o .. o + d): four partial sums, so that the adds do not wait on one another (a single running sum is bound by
   * the add's latency; this dot product is a tenth of an unseen query's time on a server).
   */
  static double dot(float[] a, float[] b, int o, int d) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int j = 0;
    for (; j + 4 <= d; j += 4) {
      s0 += a[j] * b[o + j];
      s1 += a[j + 1] * b[o + j + 1];
      s2 += a[j + 2] * b[o + j + 2];
      s3 += a[j + 3] * b[o + j + 3];
    }
    for (; j < d; j++) s0 += a[j] * b[o + j];
    return (s0 + s1) + (s2 + s3);
  }

  /** Embeds its texts once, on the first call from any thread. */
  private final class Lazy implements BeamPrior {
    private final List<String> texts;
    private final double scale;
    private volatile float[][] queries;

    Lazy(List<String> texts, double scale) {
      this.texts = texts;
      this.scale = scale;
    }

    @Override
    public double score(int query, int node) {
      float[][] q = queries;
      if (q == null) q = embed();
      return scale * dot(q[query], nodes, node * dim, dim);
    }

    private synchronized float[][] embed() {
      if (queries == null) queries = encoder.embed(texts);
      return queries;
    }
  }
}
