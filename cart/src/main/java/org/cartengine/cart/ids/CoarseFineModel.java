package org.cartengine.cart.ids;

import java.util.LinkedHashMap;
import java.util.Map;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.autograd.Autograd;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.io.Safetensors;
import org.cartengine.engine.nn.Rng;

/**
 * CART's coarse-fine identifier model (sections 3.2.1 and 3.2.2): the K-Means coarse token k, then the
 * RQ-VAE fine tokens v1..vM of the residual x - c_k (standardised). Without K-Means (coarse == null)
 * it is the {@code rq-only} ablation: the RQ-VAE on the raw embeddings.
 */
public final class CoarseFineModel implements IdentifierModel {
  private final KMeans coarse;
  private final Standardizer std;
  private final RqVae vae;
  private final int dim;
  /** Whether embeddings are L2-normalised before the coarse token and the residual (IndexConfig.normalize). */
  private final boolean normalize;

  public CoarseFineModel(KMeans coarse, Standardizer std, RqVae vae, boolean normalize) {
    this.normalize = normalize;
    this.coarse = coarse;
    this.std = std;
    this.vae = vae;
    this.dim = vae.inDim();
  }

  public KMeans coarse() {
    return coarse;
  }

  public RqVae rqVae() {
    return vae;
  }

  public Standardizer standardizer() {
    return std;
  }

  @Override
  public Scheme scheme() {
    return coarse == null ? Scheme.RQ_ONLY : Scheme.CART;
  }

  @Override
  public int semanticLength() {
    return (coarse == null ? 0 : 1) + vae.levels();
  }

  @Override
  public String[] positionNames() {
    String[] out = new String[semanticLength()];
    int o = 0;
    if (coarse != null) out[o++] = "k";
    for (int m = 1; m <= vae.levels(); m++) out[o++] = "v" + m;
    return out;
  }

  @Override
  public int[] vocab(int n) {
    int[] v = new int[semanticLength()];
    int o = 0;
    if (coarse != null) v[o++] = coarse.k();
    for (int m = 0; m < vae.levels(); m++) v[o++] = vae.codebookSize();
    return v;
  }

  @Override
  public int inputDim() {
    return dim;
  }

  @Override
  public boolean uniqueToken() {
    return true;
  }

  /** RQ-VAE inputs of rows [from, from + m) of emb: (x - c_k) standardised; coarseOut receives k when non-null. */
  float[] vaeInput(float[] emb, int from, int m, int[] coarseOut) {
    float[] x = java.util.Arrays.copyOfRange(emb, from * dim, (from + m) * dim);
    if (normalize) l2Normalize(x, m, dim);
    if (coarse != null) {
      int[] k = coarse.assign(x, m, null);
      subtractCentroids(x, m, dim, k, coarse.centroids());
      if (coarseOut != null) System.arraycopy(k, 0, coarseOut, 0, m);
    }
    std.applyInPlace(x, m);
    return x;
  }

  /** Scales each of the n rows of x to unit length in place (zero rows stay zero). */
  public static void l2Normalize(float[] x, int n, int dim) {
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int j = 0; j < dim; j++) s += (double) x[i * dim + j] * x[i * dim + j];
      if (s == 0) continue;
      float inv = (float) (1 / Math.sqrt(s));
      for (int j = 0; j < dim; j++) x[i * dim + j] *= inv;
    }
  }

  static void subtractCentroids(float[] x, int m, int dim, int[] k, float[] c) {
    for (int i = 0; i < m; i++) for (int j = 0; j < dim; j++) x[i * dim + j] -= c[k[i] * dim + j];
  }

  @Override
  public int[] assign(float[] emb, int n, int firstItem) {
    int len = semanticLength(), off = coarse == null ? 0 : 1, levels = vae.levels();
    int[] out = new int[n * len];
    Backend be = vae.codebooks[0].backend();
    int[] k = new int[RqVaeTrainer.CHUNK];
    for (int s = 0; s < n; s += RqVaeTrainer.CHUNK) {
      int m = Math.min(RqVaeTrainer.CHUNK, n - s);
      float[] x = vaeInput(emb, s, m, k);
      int[] codes;
      try (Tensor xt = Tensor.of(be, x, m, dim)) {
        codes = vae.quantize(xt, null);
      }
      for (int i = 0; i < m; i++) {
        if (coarse != null) out[(s + i) * len] = k[i];
        System.arraycopy(codes, i * levels, out, (s + i) * len + off, levels);
      }
    }
    return out;
  }

  /**
   * Relative reconstruction error of standardised RQ-VAE inputs x (n x dim): sum ||x - D(Q(E(x)))||^2 /
   * sum ||x - mean(x)||^2, the share of the inputs' variance the identifiers do not reconstruct.
   */
  public double reconstructionError(float[] x, int n) {
    Backend be = vae.codebooks[0].backend();
    double[] mean = new double[dim];
    for (int i = 0; i < n; i++) for (int j = 0; j < dim; j++) mean[j] += x[i * dim + j];
    for (int j = 0; j < dim; j++) mean[j] /= Math.max(1, n);
    double err = 0, tot = 0;
    for (int s = 0; s < n; s += RqVaeTrainer.CHUNK) {
      int m = Math.min(RqVaeTrainer.CHUNK, n - s);
      float[] rec;
      try (Tensor xt = Tensor.of(be, java.util.Arrays.copyOfRange(x, s * dim, (s + m) * dim), m, dim); AutoCloseable ng = Autograd.noGrad()) {
        Tensor[] zq = new Tensor[1];
        vae.quantize(xt, zq);
        rec = vae.decode(zq[0]).toFloatArray();
      } catch (Exception e) {
        throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
      }
      for (int i = 0; i < m; i++)
        for (int j = 0; j < dim; j++) {
          double v = x[(s + i) * dim + j], d = v - rec[i * dim + j], c = v - mean[j];
          err += d * d;
          tot += c * c;
        }
    }
    return tot == 0 ? 0 : err / tot;
  }

  @Override
  public Map<String, Tensor> tensors() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    Backend be = vae.codebooks[0].backend();
    if (coarse != null) out.put("kmeans.centroids", Tensor.of(be, coarse.centroids(), coarse.k(), dim));
    out.put("standardizer.mean", Tensor.of(be, std.mean(), dim));
    out.put("standardizer.scale", Tensor.of(be, new float[] {std.scale()}, 1));
    vae.parameters().forEach((name, t) -> out.put("rqvae." + name, t));
    return out;
  }

  /** The model saved by {@link #tensors()}: shapes come from the tensors, hidden widths and alpha/beta from cfg. */
  public static CoarseFineModel load(Map<String, Tensor> t, IndexConfig cfg, Backend be, String source) {
    Tensor mean = require(t, "standardizer.mean", source);
    int dim = mean.dim(0);
    KMeans coarse = null;
    if (cfg.scheme == Scheme.CART) {
      Tensor c = require(t, "kmeans.centroids", source);
      coarse = new KMeans(c.toFloatArray(), c.dim(0), dim, be);
    }
    Standardizer std = new Standardizer(mean.toFloatArray(), require(t, "standardizer.scale", source).toFloatArray()[0]);
    int levels = 0;
    while (t.containsKey("rqvae.codebooks." + levels)) levels++;
    if (levels == 0) throw new IllegalArgumentException(source + ": no RQ-VAE codebooks (rqvae.codebooks.0)");
    Tensor cb = t.get("rqvae.codebooks.0");
    RqVae vae = new RqVae(be, new Rng(cfg.seed), dim, cfg.hidden, cb.dim(1), levels, cb.dim(0), cfg.alpha, cfg.beta);
    Map<String, Tensor> vt = new LinkedHashMap<>();
    t.forEach((name, v) -> {
      if (name.startsWith("rqvae.")) vt.put(name.substring(6), v.dtype() == DType.F32 ? v : v.to(be, DType.F32));
    });
    Safetensors.loadInto(vae, vt, source);
    return new CoarseFineModel(coarse, std, vae, cfg.normalize);
  }

  static Tensor require(Map<String, Tensor> t, String name, String source) {
    Tensor v = t.get(name);
    if (v == null) throw new IllegalArgumentException(source + ": missing tensor " + name);
    return v;
  }
}
