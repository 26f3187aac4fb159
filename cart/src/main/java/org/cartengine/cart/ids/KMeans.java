package org.cartengine.cart.ids;

import java.util.Random;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.autograd.Autograd;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.ops.Elementwise;
import org.cartengine.engine.ops.Quantize;

/**
 * Mini-batch K-Means (Sculley 2010), as scikit-learn's MiniBatchKMeans that the paper uses for the
 * coarse token (section 3.2.1, appendix C), also used to initialise RQ-VAE codebooks and for the
 * hierarchical K-Means ablation.
 *
 * <p>Distances and argmin run on the engine backend in one fused kernel ({@link Quantize#nearestIndices}),
 * so they run on the GPU when one is present; the centroid updates (O(batch x dim)) stay on the host.
 * Seeding is k-means++ on a random sample; the fit stops early when the exponentially weighted batch
 * inertia has not improved for {@link Options#patience} steps (scikit-learn's max_no_improvement).
 */
public final class KMeans {
  /** Rows handed to the backend per assignment call: bounds device memory for large corpora. */
  static final int CHUNK = 8192;

  /**
   * @param batchSize rows per mini-batch step (scikit-learn default 1024)
   * @param maxSteps upper bound on mini-batch steps
   * @param maxEpochs upper bound on passes over the data (small corpora stop here first)
   * @param patience steps without improvement of the smoothed inertia before stopping (0: never stop early)
   * @param initSample rows sampled for k-means++ seeding (at least 3k are used when available)
   */
  public record Options(int batchSize, int maxSteps, int maxEpochs, int patience, int initSample) {
    public static Options defaults() {
      return new Options(1024, 300, 10, 10, 4096);
    }
  }

  private final float[] centroids;
  private final int k;
  private final int dim;
  private final Backend be;
  private Tensor device;

  public KMeans(float[] centroids, int k, int dim, Backend be) {
    if (centroids.length != k * dim) throw new IllegalArgumentException("KMeans: " + centroids.length + " values for " + k + " x " + dim + " centroids");
    this.centroids = centroids;
    this.k = k;
    this.dim = dim;
    this.be = be;
  }

  public int k() {
    return k;
  }

  public int dim() {
    return dim;
  }

  /** Centroids, row-major k x dim (the live array; do not modify). */
  public float[] centroids() {
    return centroids;
  }

  /**
   * Fits k centroids to the n rows of x (row-major n x dim). k must be in [1, n].
   */
  public static KMeans fit(float[] x, int n, int dim, int k, Options opt, long seed, Backend be) {
    if (k < 1 || k > n) throw new IllegalArgumentException("KMeans: k = " + k + " for " + n + " points (need 1 <= k <= n)");
    Random rnd = new Random(seed);
    KMeans km = new KMeans(seedPlusPlus(x, n, dim, k, Math.max(opt.initSample(), 3 * k), rnd, be), k, dim, be);
    if (k == n) return km;
    km.miniBatch(x, n, opt, rnd);
    return km;
  }

  /** k-means++ (Arthur and Vassilvitskii 2007) on a random sample of at most sampleSize rows. */
  static float[] seedPlusPlus(float[] x, int n, int dim, int k, int sampleSize, Random rnd, Backend be) {
    int s = Math.min(n, sampleSize);
    int[] rows = sample(n, s, rnd);
    float[] xs = gather(x, dim, rows);
    float[] c = new float[k * dim];
    double[] minDist = new double[s];
    java.util.Arrays.fill(minDist, Double.POSITIVE_INFINITY);
    Tensor xt = Tensor.of(be, xs, s, dim);
    int pick = rnd.nextInt(s);
    try (AutoCloseable ng = Autograd.noGrad()) {
      for (int j = 0; j < k; j++) {
        System.arraycopy(xs, pick * dim, c, j * dim, dim);
        if (j == k - 1) break;
        // Squared distance of every sample row to the new centre: sum over the row of (x - c)^2, three
        // elementwise passes (a one-row codebook would waste most of a GEMM micro-kernel).
        float[] d;
        try (Tensor cj = Tensor.of(be, java.util.Arrays.copyOfRange(c, j * dim, j * dim + dim), 1, dim);
            Tensor diff = xt.sub(cj); Tensor sq = Elementwise.square(diff); Tensor dist = sq.sum(1, false)) {
          d = dist.toFloatArray();
        }
        double total = 0;
        for (int i = 0; i < s; i++) {
          minDist[i] = Math.min(minDist[i], d[i]);
          total += minDist[i];
        }
        pick = -1;
        if (total > 0) {
          double r = rnd.nextDouble() * total;
          for (int i = 0; i < s && pick < 0; i++) if ((r -= minDist[i]) < 0 && minDist[i] > 0) pick = i;
        }
        // Fewer distinct points than k (duplicates): any row keeps the centroids well defined.
        if (pick < 0) pick = rnd.nextInt(s);
      }
    } catch (Exception e) {
      throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
    }
    xt.close();
    return c;
  }

  private void miniBatch(float[] x, int n, Options opt, Random rnd) {
    int b = Math.min(opt.batchSize(), n);
    long steps = Math.min(opt.maxSteps(), Math.max(1, (long) opt.maxEpochs() * n / b));
    long[] counts = new long[k];
    double ewa = Double.NaN, best = Double.POSITIVE_INFINITY;
    int noImprovement = 0;
    float[] batch = new float[b * dim];
    for (long step = 0; step < steps; step++) {
      int[] rows = sample(n, b, rnd);
      for (int i = 0; i < b; i++) System.arraycopy(x, rows[i] * dim, batch, i * dim, dim);
      float[] dist = new float[b];
      int[] idx = assign(batch, b, dist);
      double inertia = 0;
      for (float v : dist) inertia += v;
      inertia /= b;
      // Per-centre learning rate 1 / (points seen so far), applied as one batch average.
      double[] sum = new double[k * dim];
      int[] got = new int[k];
      for (int i = 0; i < b; i++) {
        int c = idx[i];
        got[c]++;
        for (int j = 0; j < dim; j++) sum[c * dim + j] += batch[i * dim + j];
      }
      for (int c = 0; c < k; c++) {
        if (got[c] == 0) continue;
        counts[c] += got[c];
        double eta = (double) got[c] / counts[c];
        for (int j = 0; j < dim; j++) {
          int q = c * dim + j;
          centroids[q] += (float) (eta * (sum[q] / got[c] - centroids[q]));
        }
      }
      // A centre that has never won a point after a few steps is moved to a random batch row.
      if (step > 0 && step % 10 == 0)
        for (int c = 0; c < k; c++)
          if (counts[c] == 0) System.arraycopy(batch, rnd.nextInt(b) * dim, centroids, c * dim, dim);
      invalidate();
      ewa = Double.isNaN(ewa) ? inertia : ewa + Math.min(1.0, 2.0 * b / (n + 1)) * (inertia - ewa);
      if (ewa < best) {
        best = ewa;
        noImprovement = 0;
      } else if (opt.patience() > 0 && ++noImprovement >= opt.patience()) {
        break;
      }
    }
  }

  /**
   * Full-batch Lloyd iterations on the n rows of x until no assignment changes, at most maxIters;
   * returns the number run. A centre that loses all its points keeps its place.
   */
  public int lloyd(float[] x, int n, int maxIters) {
    int[] prev = null;
    for (int it = 0; it < maxIters; it++) {
      int[] a = assign(x, n, null);
      if (prev != null && java.util.Arrays.equals(a, prev)) return it;
      double[] sum = new double[k * dim];
      int[] cnt = new int[k];
      for (int i = 0; i < n; i++) {
        cnt[a[i]]++;
        for (int j = 0; j < dim; j++) sum[a[i] * dim + j] += x[i * dim + j];
      }
      for (int c = 0; c < k; c++) {
        if (cnt[c] == 0) continue;
        for (int j = 0; j < dim; j++) centroids[c * dim + j] = (float) (sum[c * dim + j] / cnt[c]);
      }
      invalidate();
      prev = a;
    }
    return maxIters;
  }

  /** Nearest centroid of each of the n rows of x; writes the squared distances to distOut when non-null. */
  public int[] assign(float[] x, int n, float[] distOut) {
    return assign(x, 0, n, distOut);
  }

  /** As {@link #assign(float[], int, float[])} for rows [from, from + n) of x. */
  public int[] assign(float[] x, int from, int n, float[] distOut) {
    int[] out = new int[n];
    Tensor c = centroidTensor();
    for (int s = 0; s < n; s += CHUNK) {
      int m = Math.min(CHUNK, n - s);
      float[] part = java.util.Arrays.copyOfRange(x, (from + s) * dim, (from + s + m) * dim);
      try (Tensor xt = Tensor.of(be, part, m, dim); Tensor dt = Tensor.zeros(be, DType.F32, m); Tensor it = Quantize.nearestIndices(xt, c, dt)) {
        System.arraycopy(it.toIntArray(), 0, out, s, m);
        if (distOut != null) System.arraycopy(dt.toFloatArray(), 0, distOut, s, m);
      }
    }
    return out;
  }

  private Tensor centroidTensor() {
    if (device == null) device = Tensor.of(be, centroids, k, dim);
    return device;
  }

  private void invalidate() {
    if (device != null) device.close();
    device = null;
  }

  static int[] sample(int n, int s, Random rnd) {
    // s distinct rows: partial Fisher-Yates when s is a large share of n, else draws with a seen-set.
    if (s >= n / 4) {
      int[] all = new int[n];
      for (int i = 0; i < n; i++) all[i] = i;
      for (int i = 0; i < s; i++) {
        int j = i + rnd.nextInt(n - i);
        int t = all[i];
        all[i] = all[j];
        all[j] = t;
      }
      return java.util.Arrays.copyOf(all, s);
    }
    java.util.HashSet<Integer> seen = new java.util.HashSet<>();
    int[] out = new int[s];
    for (int i = 0; i < s; ) {
      int r = rnd.nextInt(n);
      if (seen.add(r)) out[i++] = r;
    }
    return out;
  }

  static float[] gather(float[] x, int dim, int[] rows) {
    float[] out = new float[rows.length * dim];
    for (int i = 0; i < rows.length; i++) System.arraycopy(x, rows[i] * dim, out, i * dim, dim);
    return out;
  }
}
