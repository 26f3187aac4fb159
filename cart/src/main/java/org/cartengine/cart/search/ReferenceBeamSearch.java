package org.cartengine.cart.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cartengine.cart.ids.PrefixTrie;
import org.cartengine.cart.model.CartModel;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.autograd.Autograd;
import org.cartengine.engine.ops.Embedding;
import org.cartengine.engine.ops.Views;

/**
 * The first, straightforward constrained beam search, kept as the oracle that {@link BeamSearch} must
 * agree with (same items, same scores) and as the baseline of the search benchmarks. Every step
 * re-runs the whole decoder over the whole prefix with autograd's ops, and the encoder memory is
 * copied for every beam. Scores follow {@link BeamScoring}; ties go to the lower trie node.
 */
public final class ReferenceBeamSearch {
  private ReferenceBeamSearch() {}

  /** One expansion of a beam: its score, the beam's row and the child node it moves to. */
  private record Candidate(double score, int row, int child) {}

  /** Top-k items for each query, best first (k <= beam; fewer only when the corpus has fewer items). */
  public static List<List<BeamSearch.Hit>> search(CartModel model, QueryBatch q, PrefixTrie trie, int beam, int k, BeamScoring scoring) {
    if (k > beam) throw new IllegalArgumentException("beam search: k = " + k + " is larger than the beam width " + beam);
    int qn = q.size(), len = trie.length();
    try (Autograd.Scope ng = Autograd.noGrad()) {
      model.train(false);
      CartModel.Encoded enc = model.encode(q.ids(), q.padding(), q.positions());
      int[] padHost = q.padding().toIntArray(); // read once: every step repeats its rows for the beams
      // Live beams: flattened over queries; beamOf[q] lists indexes into the arrays below.
      int[][] prefixes = new int[qn][0];
      int[] nodes = new int[qn];
      double[] scores = new double[qn];
      int[] owner = new int[qn];
      for (int i = 0; i < qn; i++) owner[i] = i;
      for (int step = 0; step < len; step++) {
        int rows = owner.length;
        CartModel.Encoded e = step == 0 ? enc : repeat(enc, padHost, owner);
        Tensor prefix = null;
        if (step > 0) {
          int[] p = new int[rows * step];
          for (int r = 0; r < rows; r++) System.arraycopy(prefixes[r], 0, p, r * step, step);
          prefix = Tensor.ofInts(model.backend(), p, rows, step);
        }
        Tensor hidden = model.decode(e, prefix, rows);
        float[] logits = model.logits(hidden, step).toFloatArray();
        int vocab = logits.length / rows;
        // Candidate expansions per query.
        List<List<Candidate>> cand = new ArrayList<>();
        for (int i = 0; i < qn; i++) cand.add(new ArrayList<>());
        for (int r = 0; r < rows; r++) {
          int node = nodes[r];
          int c = trie.childCount(node);
          if (c == 0) throw new IllegalStateException("beam search: no allowed token after prefix " + Arrays.toString(prefixes[r]) + " (step " + step + ")");
          double max = Double.NEGATIVE_INFINITY;
          for (int i = 0; i < c; i++) {
            int tok = trie.token(trie.child(node, i));
            if (tok >= vocab) throw new IllegalStateException("beam search: trie token " + tok + " outside the model's vocabulary " + vocab + " at position " + step);
            max = Math.max(max, logits[r * vocab + tok]);
          }
          double sum = 0;
          for (int i = 0; i < c; i++) sum += Math.exp(logits[r * vocab + trie.token(trie.child(node, i))] - max);
          double lse = max + Math.log(sum);
          if (scoring == BeamScoring.MASKED) {
            max = Double.NEGATIVE_INFINITY;
            for (int t = 0; t < vocab; t++) max = Math.max(max, logits[r * vocab + t]);
            sum = 0;
            for (int t = 0; t < vocab; t++) sum += Math.exp(logits[r * vocab + t] - max);
            lse = max + Math.log(sum);
          }
          for (int i = 0; i < c; i++) {
            int child = trie.child(node, i);
            cand.get(owner[r]).add(new Candidate(scores[r] + logits[r * vocab + trie.token(child)] - lse, r, child));
          }
        }
        List<int[]> nextPrefix = new ArrayList<>();
        List<Integer> nextNode = new ArrayList<>(), nextOwner = new ArrayList<>();
        List<Double> nextScore = new ArrayList<>();
        for (int i = 0; i < qn; i++) {
          List<Candidate> cs = cand.get(i);
          // Highest score first; ties by node id so results are deterministic.
          cs.sort((a, b) -> a.score() != b.score() ? Double.compare(b.score(), a.score()) : Integer.compare(a.child(), b.child()));
          for (int j = 0; j < Math.min(beam, cs.size()); j++) {
            Candidate c = cs.get(j);
            int r = c.row(), child = c.child();
            int[] p = Arrays.copyOf(prefixes[r], step + 1);
            p[step] = trie.token(child);
            nextPrefix.add(p);
            nextNode.add(child);
            nextOwner.add(i);
            nextScore.add(c.score());
          }
        }
        prefixes = nextPrefix.toArray(new int[0][]);
        nodes = nextNode.stream().mapToInt(Integer::intValue).toArray();
        owner = nextOwner.stream().mapToInt(Integer::intValue).toArray();
        scores = nextScore.stream().mapToDouble(Double::doubleValue).toArray();
      }
      List<List<BeamSearch.Hit>> out = new ArrayList<>();
      for (int i = 0; i < qn; i++) out.add(new ArrayList<>());
      for (int r = 0; r < owner.length; r++) {
        List<BeamSearch.Hit> l = out.get(owner[r]);
        if (l.size() < k) l.add(new BeamSearch.Hit(trie.item(nodes[r]), scores[r]));
      }
      return out;
    }
  }

  /** The encoder outputs of each query repeated for each of its beams (rows of owner). */
  static CartModel.Encoded repeat(CartModel.Encoded enc, int[] padHost, int[] owner) {
    Tensor idx = Tensor.ofInts(enc.padding().backend(), owner, owner.length);
    List<Tensor> layers = new ArrayList<>();
    for (Tensor l : enc.layers()) layers.add(gatherRows(l, idx));
    Tensor pad = enc.padding();
    int t = pad.dim(1);
    Tensor padRows = Tensor.ofInts(pad.backend(), repeatInts(padHost, t, owner), owner.length, t);
    return new CartModel.Encoded(layers, padRows);
  }

  private static int[] repeatInts(int[] src, int width, int[] owner) {
    int[] out = new int[owner.length * width];
    for (int r = 0; r < owner.length; r++) System.arraycopy(src, owner[r] * width, out, r * width, width);
    return out;
  }

  /** Rows of x [B, ...] selected by idx, through the embedding gather kernel on the device. */
  static Tensor gatherRows(Tensor x, Tensor idx) {
    int[] shape = x.shape();
    int b = shape[0], rest = x.numel() / b;
    Tensor flat = Views.contiguous(x).reshape(b, rest);
    int[] outShape = shape.clone();
    outShape[0] = idx.numel();
    return Embedding.lookup(flat, idx).reshape(outShape);
  }
}
