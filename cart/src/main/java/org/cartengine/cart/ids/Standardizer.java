package org.cartengine.cart.ids;

/**
 * Input normalisation of the RQ-VAE: x' = (x - mean) / scale with a per-dimension mean and ONE global
 * scale, the root mean square of the centred data. Not in the paper; it makes the learning rate and
 * the loss weights independent of the embedding model's scale (ImageBind rows have unit norm, so a
 * 1024-d residual has entries around 0.01). A single scale keeps the geometry (relative variances of
 * dimensions) that K-Means and the codebooks see; per-dimension scaling would blow up noise dimensions.
 */
public final class Standardizer {
  private final float[] mean;
  private final float scale;

  public Standardizer(float[] mean, float scale) {
    if (!(scale > 0)) throw new IllegalArgumentException("Standardizer: scale " + scale + " must be positive");
    this.mean = mean;
    this.scale = scale;
  }

  /** Fits mean and scale to the n rows of x (n x dim); identity when disabled. */
  public static Standardizer fit(float[] x, int n, int dim, boolean enabled) {
    float[] mean = new float[dim];
    if (!enabled || n == 0) return new Standardizer(mean, 1f);
    double[] m = new double[dim];
    for (int i = 0; i < n; i++) for (int j = 0; j < dim; j++) m[j] += x[i * dim + j];
    for (int j = 0; j < dim; j++) mean[j] = (float) (m[j] / n);
    double ss = 0;
    for (int i = 0; i < n; i++)
      for (int j = 0; j < dim; j++) {
        double d = x[i * dim + j] - mean[j];
        ss += d * d;
      }
    double rms = Math.sqrt(ss / ((double) n * dim));
    return new Standardizer(mean, rms > 1e-12 ? (float) rms : 1f);
  }

  public int dim() {
    return mean.length;
  }

  public float[] mean() {
    return mean.clone();
  }

  public float scale() {
    return scale;
  }

  /** Standardises x in place (n x dim). */
  public void applyInPlace(float[] x, int n) {
    int dim = mean.length;
    float inv = 1f / scale;
    for (int i = 0; i < n; i++) for (int j = 0; j < dim; j++) x[i * dim + j] = (x[i * dim + j] - mean[j]) * inv;
  }
}
