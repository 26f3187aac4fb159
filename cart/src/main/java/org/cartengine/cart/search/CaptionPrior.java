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
      float[] qv = q[query];
      double s = 0;
      for (int j = 0, o = node * dim; j < dim; j++) s += qv[j] * nodes[o + j];
      return scale * s;
    }

    private synchronized float[][] embed() {
      if (queries == null) queries = encoder.embed(texts);
      return queries;
    }
  }
}
