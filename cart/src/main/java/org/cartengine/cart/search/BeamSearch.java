package org.cartengine.cart.search;

import java.util.ArrayList;
import java.util.List;
import org.cartengine.cart.ids.PrefixTrie;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.model.IncrementalDecoder;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.autograd.Autograd;
import org.cartengine.engine.backend.Backend;

/**
 * Batched beam search constrained by the prefix trie (paper section 3.5): at each step a beam may
 * only continue with a token that the trie allows after its prefix, so every result is a real item's
 * identifier. A prefix with no allowed continuation is an error, never a fall-back to unconstrained
 * decoding.
 *
 * <p>The decoder runs incrementally ({@link IncrementalDecoder}): the encoder and every projection of
 * its memory run once per query, each step decodes only the new position from per-beam key/value
 * caches. Masking, log-softmax over the allowed tokens and the choice of the surviving beams run on
 * the host on primitive arrays ({@link AllowedLogProbs}, {@link TopBeams}); only the step's logits
 * come back from the backend. Results equal {@link ReferenceBeamSearch}'s (same items, same scores up
 * to float rounding).
 */
public final class BeamSearch {
  private BeamSearch() {}

  /** One ranked result: item index and its identifier's score (a sum of log-probabilities, see {@link BeamScoring}). */
  public record Hit(int item, double score) {}

  /** Top-k items for each query, best first, scored {@link BeamScoring#DEFAULT}. */
  public static List<List<Hit>> search(CartModel model, QueryBatch q, PrefixTrie trie, int beam, int k) {
    return search(model, q, trie, beam, k, BeamScoring.DEFAULT);
  }

  /** Top-k items for each query, best first (k <= beam; fewer only when the corpus has fewer items). */
  public static List<List<Hit>> search(CartModel model, QueryBatch q, PrefixTrie trie, int beam, int k, BeamScoring scoring) {
    return search(model, q, trie, beam, k, scoring, null);
  }

  /** As above, each node's score raised by {@code prior} (null: none). */
  public static List<List<Hit>> search(CartModel model, QueryBatch q, PrefixTrie trie, int beam, int k, BeamScoring scoring, BeamPrior prior) {
    if (k > beam) throw new IllegalArgumentException("beam search: k = " + k + " is larger than the beam width " + beam);
    if (beam < 1) throw new IllegalArgumentException("beam search: beam width " + beam + " < 1");
    if (trie.length() != model.cfg.idLength())
      throw new IllegalArgumentException("beam search: the trie's identifiers have " + trie.length() + " tokens, the model decodes " + model.cfg.idLength());
    int qn = q.size();
    if (qn == 0) return List.of();
    return search(model, q, trie, beam, k, scoring, prior, shards(model.backend(), qn));
  }

  /** As above, the batch cut into {@code shards} slices decoded side by side (1: whole); results do not depend on it. */
  static List<List<Hit>> search(CartModel model, QueryBatch q, PrefixTrie trie, int beam, int k, BeamScoring scoring, BeamPrior prior, int shards) {
    int qn = q.size();
    if (shards < 1 || shards > qn) throw new IllegalArgumentException("beam search: " + shards + " shards for " + qn + " queries");
    // A served model is put in eval mode once at load; during training, validation finds it in train mode.
    if (model.isTraining()) model.train(false);
    if (shards == 1) return searchShard(model, q, trie, beam, k, scoring, prior);
    // A pretrained encoder's features for the whole batch first, with its kernels on every core; the shards read them.
    if (model.features() != null) model.features().prepare(q.ids(), q.padding());
    // Queries are independent: each shard decodes its slice of the batch on one core with every kernel inline, where
    // one batch split kernel by kernel would hand off (and wait) a few hundred times per step on small matrices.
    @SuppressWarnings("unchecked")
    List<List<Hit>>[] parts = new List[shards];
    model.backend().forEachShard(shards, s -> {
      int lo = (int) ((long) qn * s / shards), hi = (int) ((long) qn * (s + 1) / shards);
      BeamPrior p = prior == null ? null : (query, node) -> prior.score(query + lo, node);
      parts[s] = searchShard(model, q.rows(model.backend(), lo, hi), trie, beam, k, scoring, p);
    });
    List<List<Hit>> out = new ArrayList<>(qn);
    for (List<List<Hit>> part : parts) out.addAll(part);
    return out;
  }

  /** Queries per shard below which a batch is decoded whole: a shard's fixed cost (the encoder call, the hand-off) needs a few queries to pay. */
  static final int MIN_SHARD_QUERIES = 8;

  /** How many shards a batch of {@code queries} is cut into: the backend's shard threads, at least {@link #MIN_SHARD_QUERIES} queries each. */
  static int shards(Backend be, int queries) {
    return Math.max(1, Math.min(be.shardThreads(), queries / MIN_SHARD_QUERIES));
  }

  private static List<List<Hit>> searchShard(CartModel model, QueryBatch q, PrefixTrie trie, int beam, int k, BeamScoring scoring, BeamPrior prior) {
    int qn = q.size();
    Backend be = model.backend();
    try (Autograd.Scope ng = Autograd.noGrad()) {
      IncrementalDecoder decoder = model.startDecoding(model.encode(q.ids(), q.padding(), q.positions()));
      TopBeams[] top = new TopBeams[qn];
      for (int i = 0; i < qn; i++) top[i] = new TopBeams(beam);
      Beams beams = Beams.start(qn);
      for (int pos = 0; pos < trie.length(); pos++) {
        float[] logits;
        if (pos == 0) logits = decoder.step(null, null).toFloatArray();
        else if (pos + 1 == trie.length() && scoring == BeamScoring.RENORMALISED) logits = lastStep(decoder, beams, trie, model.cfg.idVocab()[pos], be);
        else logits = decoder.step(Tensor.ofInts(be, beams.parent, beams.rows()), Tensor.ofInts(be, beams.token, beams.rows())).toFloatArray();
        beams = prune(beams, logits, trie, scoring, top, pos, prior);
      }
      return hits(beams, trie, k);
    }
  }

  /**
   * The last position's logits, decoded only for the beams whose prefix allows more than one token. Renormalised over
   * the allowed tokens, a prefix with one child adds exactly 0 to the score whatever its logits (logit - (logit +
   * log 1)), so those rows need no decoder step: they get zeros. On semantic identifiers most prefixes (k, v1, ..., vM)
   * hold one item, and the last step is a quarter of a search's decoder work at length 4. Each query decodes only its
   * own such beams (ragged groups: a query with many colliding prefixes does not widen the others; none anywhere: no
   * step at all); results are unchanged.
   */
  private static float[] lastStep(IncrementalDecoder decoder, Beams beams, PrefixTrie trie, int vocab, Backend be) {
    int queries = beams.queries(), slots = beams.slots(), rows = beams.rows();
    int[] groupStart = new int[queries + 1], rowOf = new int[rows];
    int n = 0;
    for (int g = 0; g < queries; g++) {
      for (int s = 0; s < slots; s++) {
        int r = g * slots + s, node = beams.node()[r];
        if (node >= 0 && trie.childCount(node) > 1) rowOf[n++] = r;
      }
      groupStart[g + 1] = n;
    }
    float[] full = new float[rows * vocab];
    if (n == 0) return full;
    int[] parent = new int[n], token = new int[n];
    for (int i = 0; i < n; i++) {
      parent[i] = beams.parent()[rowOf[i]];
      token[i] = beams.token()[rowOf[i]];
    }
    float[] some = decoder.step(Tensor.ofInts(be, parent, n), Tensor.ofInts(be, token, n), groupStart).toFloatArray();
    for (int i = 0; i < n; i++) System.arraycopy(some, i * vocab, full, rowOf[i] * vocab, vocab);
    return full;
  }

  /**
   * Live beams, query by query, {@code slots} rows per query: row r belongs to query r / slots, the
   * live ones first and best first; an unused row has node -1 and repeats its query's first row so
   * that the decoder computes something finite there.
   */
  private record Beams(int queries, int slots, int[] node, double[] score, int[] parent, int[] token) {
    static Beams start(int queries) {
      return new Beams(queries, 1, new int[queries], new double[queries], null, null);
    }

    int rows() {
      return queries * slots;
    }
  }

  /** Expands every live beam by its allowed tokens and keeps each query's best {@code beam} (per-query pruning). */
  private static Beams prune(Beams beams, float[] logits, PrefixTrie trie, BeamScoring scoring, TopBeams[] top, int pos, BeamPrior prior) {
    int rows = beams.rows(), vocab = logits.length / rows, slots = 0;
    for (int g = 0; g < beams.queries(); g++) {
      TopBeams t = top[g];
      t.clear();
      for (int s = 0; s < beams.slots(); s++) {
        int r = g * beams.slots() + s, node = beams.node()[r];
        if (node < 0) continue;
        int off = r * vocab;
        double lse = AllowedLogProbs.normaliser(logits, off, vocab, trie, node, scoring, pos), base = beams.score()[r];
        int first = trie.child(node, 0), c = trie.childCount(node);
        if (prior == null) for (int i = 0; i < c; i++) t.offer(base + logits[off + trie.token(first + i)] - lse, r, first + i);
        else for (int i = 0; i < c; i++) t.offer(base + logits[off + trie.token(first + i)] - lse + prior.score(g, first + i), r, first + i);
      }
      t.sortBestFirst();
      slots = Math.max(slots, t.size());
    }
    int n = beams.queries() * slots;
    int[] node = new int[n], parent = new int[n], token = new int[n];
    double[] score = new double[n];
    for (int g = 0; g < beams.queries(); g++) {
      TopBeams t = top[g];
      for (int j = 0; j < slots; j++) {
        int r = g * slots + j, from = j < t.size() ? j : 0;
        parent[r] = t.row(from);
        token[r] = trie.token(t.node(from));
        node[r] = j < t.size() ? t.node(j) : -1;
        score[r] = j < t.size() ? t.score(j) : Double.NEGATIVE_INFINITY;
      }
    }
    return new Beams(beams.queries(), slots, node, score, parent, token);
  }

  /** The first k live beams of each query (already best first) as items of the trie's leaves. */
  private static List<List<Hit>> hits(Beams beams, PrefixTrie trie, int k) {
    List<List<Hit>> out = new ArrayList<>(beams.queries());
    for (int g = 0; g < beams.queries(); g++) {
      List<Hit> l = new ArrayList<>(k);
      for (int j = 0; j < beams.slots() && l.size() < k; j++) {
        int r = g * beams.slots() + j;
        if (beams.node()[r] >= 0) l.add(new Hit(trie.item(beams.node()[r]), beams.score()[r]));
      }
      out.add(l);
    }
    return out;
  }
}
