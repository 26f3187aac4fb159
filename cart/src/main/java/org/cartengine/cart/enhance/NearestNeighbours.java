package org.cartengine.cart.enhance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.cartengine.cart.search.TopK;
import org.cartengine.cart.data.Embeddings;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;

/**
 * Exact k-nearest-neighbour search by cosine similarity, for every item against a set of candidate items, the item
 * itself excluded.
 *
 * <p>The result is defined in double precision: {@code cos(i, j) = sum_d x_id x_jd / (|x_i| |x_j|)} with every sum
 * taken in double in index order, 0 when either vector is zero; neighbours are ranked by cos descending, ties by the
 * lower item index. {@link #reference} computes exactly that, naively; {@link #search} returns the same lists:
 *
 * <ol>
 *   <li>screen: the L2-normalised rows are multiplied on the engine's backend in F32, one block of query rows at a
 *       time against all candidates ({@code [B, D] @ [D, M]}), so a GPU backend does the O(N M D) part;
 *   <li>rescore: on the host, every candidate whose F32 score is within {@code 2 eps} of the row's k-th best F32 score
 *       is rescored in double and the k best are kept. {@code eps} bounds the F32 error of a dot product of unit
 *       vectors ({@code (D + 3) u / (1 - (D + 3) u)}, u = 2^-24, normalisation rounding included), so no true
 *       neighbour is screened out: every F32 score is within eps of its double cosine, hence the k-th best F32
 *       score is at most c_k + eps and a true neighbour scores at least c_k - eps. The bound assumes the backend's
 *       F32 GEMM accumulates in F32 or wider (no TF32 or F16 inputs).
 * </ol>
 *
 * Cost: N x M x D multiply-adds on the backend, plus O(N M) host work for the screening. Memory: the candidates'
 * normalised rows on the device (M x D floats, which must fit one Java array) and a block of at most
 * {@link #BLOCK_SCORES} scores.
 */
public final class NearestNeighbours {
  private NearestNeighbours() {}

  /** Scores per block of query rows (16 MB of F32): bounds the device and host memory of one step. */
  static final int BLOCK_SCORES = 1 << 22;

  /**
   * The neighbours of each item.
   *
   * @param index index[i] = the item rows of i's neighbours, best first (fewer than k when there are fewer candidates)
   * @param similarity similarity[i][r] = cos(i, index[i][r]) in double
   */
  public record Result(int[][] index, double[][] similarity) {}

  /**
   * For every item i of {@code emb}, its k nearest items among {@code candidates} (ascending item rows, no
   * duplicates), other than i.
   */
  public static Result search(Embeddings emb, int[] candidates, int k, Backend be) {
    return search(emb, IntStream.range(0, emb.rows()).toArray(), candidates, k, be, BLOCK_SCORES);
  }

  /**
   * As {@link #search(Embeddings, int[], int, Backend)} for the items {@code queries} only (ascending rows, no
   * duplicates); every other item gets no neighbours. The cost is |queries| x M x D.
   */
  public static Result search(Embeddings emb, int[] queries, int[] candidates, int k, Backend be) {
    return search(emb, queries, candidates, k, be, BLOCK_SCORES);
  }

  /** {@link #search} with at most {@code blockScores} scores per block (tests use small blocks). */
  static Result search(Embeddings emb, int[] candidates, int k, Backend be, int blockScores) {
    return search(emb, IntStream.range(0, emb.rows()).toArray(), candidates, k, be, blockScores);
  }

  static Result search(Embeddings emb, int[] queries, int[] candidates, int k, Backend be, int blockScores) {
    int n = emb.rows(), d = emb.dim(), m = candidates.length;
    checkCandidates(candidates, n);
    checkCandidates(queries, n);
    if (k < 1) throw new IllegalArgumentException("k must be >= 1, got " + k);
    int[][] index = new int[n][];
    double[][] sim = new double[n][];
    Arrays.fill(index, new int[0]);
    Arrays.fill(sim, new double[0]);
    int nq = queries.length;
    if (m == 0 || nq == 0) return new Result(index, sim);
    if ((long) m * d > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException(m + " candidates x " + d + " dims do not fit one device buffer");
    }
    double[] norm = norms(emb);
    int[] column = new int[n]; // item row -> candidate column, -1 if not a candidate
    Arrays.fill(column, -1);
    for (int c = 0; c < m; c++) column[candidates[c]] = c;
    double eps = dotErrorBound(d);
    float margin = (float) (2 * eps) * 1.25f; // a quarter more for the rounding of the comparison itself

    float[] unit = new float[m * d];
    float[] row = new float[d];
    for (int c = 0; c < m; c++) normalise(emb, candidates[c], norm, row, unit, c * d);
    int block = Math.max(1, Math.min(nq, blockScores / m));
    float[] raw = new float[block * d];
    float[] q = new float[block * d];
    try (Tensor cand = Tensor.of(be, unit, m, d); Tensor candT = cand.t()) {
      for (int b0 = 0; b0 < nq; b0 += block) {
        int rows = Math.min(block, nq - b0);
        for (int r = 0; r < rows; r++) {
          emb.row(queries[b0 + r], raw, r * d);
          normalise(raw, r * d, d, norm[queries[b0 + r]], q, r * d);
        }
        float[] scores;
        try (Tensor qt = Tensor.of(be, rows == block ? q : Arrays.copyOf(q, rows * d), rows, d);
            Tensor s = qt.matmul(candT)) {
          scores = s.toFloatArray();
        }
        final int base = b0;
        IntStream.range(0, rows).parallel().forEach(r -> {
          int i = queries[base + r];
          Result one = rescore(emb, i, raw, r * d, norm, candidates, column[i], scores, r * m, m, k, margin);
          index[i] = one.index()[0];
          sim[i] = one.similarity()[0];
        });
      }
    }
    return new Result(index, sim);
  }

  /** Screens row i's F32 scores and ranks the survivors in double: a one-row result. */
  private static Result rescore(Embeddings emb, int i, float[] raw, int rawOff, double[] norm, int[] candidates,
      int self, float[] scores, int off, int m, int k, float margin) {
    int kk = Math.min(k, self >= 0 ? m - 1 : m);
    if (kk <= 0) return new Result(new int[][] {{}}, new double[][] {{}});
    if (self >= 0) scores[off + self] = Float.NEGATIVE_INFINITY;
    int[] top = TopK.topK(scores, off, m, kk);
    float threshold = scores[off + top[kk - 1]] - margin;
    List<double[]> kept = new ArrayList<>(); // {cos, item}
    float[] other = new float[emb.dim()];
    for (int c = 0; c < m; c++) {
      if (c == self || !(scores[off + c] >= threshold)) continue;
      int j = candidates[c];
      emb.row(j, other, 0);
      kept.add(new double[] {cosine(raw, rawOff, norm[i], other, 0, norm[j], emb.dim()), j});
    }
    kept.sort((a, b) -> a[0] != b[0] ? Double.compare(b[0], a[0]) : Double.compare(a[1], b[1]));
    int[] idx = new int[kk];
    double[] cos = new double[kk];
    for (int r = 0; r < kk; r++) {
      idx[r] = (int) kept.get(r)[1];
      cos[r] = kept.get(r)[0];
    }
    return new Result(new int[][] {idx}, new double[][] {cos});
  }

  /** The naive definition: all pairs in double, full sort. The reference {@link #search} is tested against. */
  public static Result reference(Embeddings emb, int[] candidates, int k) {
    int n = emb.rows(), d = emb.dim();
    checkCandidates(candidates, n);
    double[] norm = norms(emb);
    int[][] index = new int[n][];
    double[][] sim = new double[n][];
    for (int i = 0; i < n; i++) {
      float[] xi = emb.row(i);
      List<double[]> all = new ArrayList<>();
      for (int j : candidates) if (j != i) all.add(new double[] {cosine(xi, 0, norm[i], emb.row(j), 0, norm[j], d), j});
      all.sort((a, b) -> a[0] != b[0] ? Double.compare(b[0], a[0]) : Double.compare(a[1], b[1]));
      int kk = Math.min(k, all.size());
      index[i] = new int[kk];
      sim[i] = new double[kk];
      for (int r = 0; r < kk; r++) {
        index[i][r] = (int) all.get(r)[1];
        sim[i][r] = all.get(r)[0];
      }
    }
    return new Result(index, sim);
  }

  /** cos in double as defined above; 0 when a norm is 0. */
  static double cosine(float[] a, int aOff, double normA, float[] b, int bOff, double normB, int d) {
    if (normA == 0 || normB == 0) return 0;
    double dot = 0;
    for (int t = 0; t < d; t++) dot += (double) a[aOff + t] * b[bOff + t];
    return dot / (normA * normB);
  }

  /** Worst-case |F32 dot of the F32-rounded unit vectors - exact cosine| in dimension d (Higham's gamma_n). */
  static double dotErrorBound(int d) {
    double nu = (d + 3) * 0x1p-24;
    return nu / (1 - nu);
  }

  private static double[] norms(Embeddings emb) {
    int d = emb.dim();
    double[] norm = new double[emb.rows()];
    IntStream.range(0, emb.rows()).parallel().forEach(i -> {
      float[] x = emb.row(i);
      double s = 0;
      for (int t = 0; t < d; t++) s += (double) x[t] * x[t];
      norm[i] = Math.sqrt(s);
    });
    return norm;
  }

  private static void normalise(Embeddings emb, int i, double[] norm, float[] buf, float[] dst, int dstOff) {
    emb.row(i, buf, 0);
    normalise(buf, 0, buf.length, norm[i], dst, dstOff);
  }

  private static void normalise(float[] x, int off, int d, double norm, float[] dst, int dstOff) {
    for (int t = 0; t < d; t++) dst[dstOff + t] = norm == 0 ? 0f : (float) (x[off + t] / norm);
  }

  private static void checkCandidates(int[] candidates, int n) {
    for (int c = 0; c < candidates.length; c++) {
      if (candidates[c] < 0 || candidates[c] >= n || (c > 0 && candidates[c] <= candidates[c - 1])) {
        throw new IllegalArgumentException("candidates must be ascending item rows in [0, " + n + ")");
      }
    }
  }
}
