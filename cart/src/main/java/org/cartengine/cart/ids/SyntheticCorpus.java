package org.cartengine.cart.ids;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Clustered Gaussian embeddings for benchmarks and tests, with the coarse-to-fine structure
 * identifiers are meant to capture: item = topic centre + sub-topic offset + a point of a shared
 * low-dimensional subspace (W g, g ~ N(0, I)) + isotropic noise, rows scaled to unit norm like
 * ImageBind/CLIP embeddings. The subspace gives items a continuum of fine differences of low intrinsic
 * dimension, as real embeddings have, instead of pure noise that no code can capture.
 * Deterministic for a seed; row i depends only on (seed, i), so rows are generated in parallel.
 */
public final class SyntheticCorpus {
  private SyntheticCorpus() {}

  /**
   * @param topics top-level clusters
   * @param subtopics sub-clusters per topic
   * @param subScale norm of a sub-topic offset relative to a topic centre
   * @param fineDim dimension of the shared subspace of fine differences (0: none)
   * @param fineScale expected norm of the subspace component relative to a topic centre
   * @param noise norm of the per-item isotropic noise relative to a topic centre
   */
  public record Spec(int n, int dim, int topics, int subtopics, double subScale, int fineDim, double fineScale, double noise, long seed) {
    /** The benchmark corpus: 256 topics x 16 sub-topics, a 16-d fine subspace (0.4), noise 0.05. */
    public static Spec of(int n, int dim, long seed) {
      return new Spec(n, dim, 256, 16, 0.5, 16, 0.4, 0.05, seed);
    }

    /** Topics and sub-topics with isotropic noise only. */
    public static Spec clusters(int n, int dim, int topics, int subtopics, double subScale, double noise, long seed) {
      return new Spec(n, dim, topics, subtopics, subScale, 0, 0, noise, seed);
    }
  }

  /** Row-major n x dim embeddings. */
  public static float[] generate(Spec s) {
    return new Rows(s).generate(0, s.n());
  }

  /**
   * Rows of the corpus by range, for generating it in pieces (one per Spark partition): the shared
   * centres and subspace are drawn once, and rows [from, to) equal those of {@link #generate(Spec)}.
   */
  public static final class Rows {
    private final Spec s;
    private final float[] topics, subs, basis;

    public Rows(Spec s) {
      this.s = s;
      int dim = s.dim();
      topics = gaussianRows(s.topics(), dim, s.seed(), 1.0);
      subs = gaussianRows(s.topics() * s.subtopics(), dim, s.seed() + 1, s.subScale());
      int f = s.fineDim();
      // Basis of the fine subspace, stored transposed [f, dim]; g ~ N(0, I_f) scaled so ||W g|| ~ fineScale.
      basis = gaussianRows(f, dim, s.seed() + 3, f == 0 ? 0 : s.fineScale() / Math.sqrt(f));
    }

    /** Rows [from, to), row-major. */
    public float[] generate(int from, int to) {
      long total = (long) (to - from) * s.dim();
      if (total > Integer.MAX_VALUE - 16) throw new IllegalArgumentException((to - from) + " x " + s.dim() + " embeddings do not fit one Java array");
      if (from < 0 || to > s.n() || from > to) throw new IllegalArgumentException("rows [" + from + ", " + to + ") outside [0, " + s.n() + ")");
      int dim = s.dim(), f = s.fineDim();
      float[] out = new float[(int) total];
      double noiseStd = s.noise() / Math.sqrt(dim);
      IntStream.range(from, to).parallel().forEach(i -> {
        SplittableRandom r = new SplittableRandom(mix(s.seed() + 2, i));
        int t = r.nextInt(s.topics()), st = t * s.subtopics() + r.nextInt(s.subtopics());
        float[] row = new float[dim];
        for (int a = 0; a < f; a++) {
          float g = (float) gaussian(r);
          for (int j = 0; j < dim; j++) row[j] += g * basis[a * dim + j];
        }
        int o = (i - from) * dim;
        double norm = 0;
        for (int j = 0; j < dim; j++) {
          double v = topics[t * dim + j] + subs[st * dim + j] + row[j] + noiseStd * gaussian(r);
          out[o + j] = (float) v;
          norm += v * v;
        }
        float inv = (float) (1 / Math.sqrt(Math.max(norm, 1e-30)));
        for (int j = 0; j < dim; j++) out[o + j] *= inv;
      });
      return out;
    }
  }

  /** rows x dim Gaussian vectors of expected norm `norm`. */
  private static float[] gaussianRows(int rows, int dim, long seed, double norm) {
    float[] out = new float[rows * dim];
    double std = norm / Math.sqrt(dim);
    for (int i = 0; i < rows; i++) {
      SplittableRandom r = new SplittableRandom(mix(seed, i));
      for (int j = 0; j < dim; j++) out[i * dim + j] = (float) (std * gaussian(r));
    }
    return out;
  }

  private static long mix(long seed, long i) {
    long z = seed * 0x9E3779B97F4A7C15L + i;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Box-Muller (one of the pair; cheap enough next to the rest). */
  private static double gaussian(SplittableRandom r) {
    double u = 1 - r.nextDouble(), v = r.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
