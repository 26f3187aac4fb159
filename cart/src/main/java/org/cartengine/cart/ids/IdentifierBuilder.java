package org.cartengine.cart.ids;

import java.util.AbstractList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;

/**
 * Builds identifiers for a corpus of item embeddings (section 3.2, Figure 2): the entry point of
 * {@code cart index} and of the retriever. For the {@code cart} scheme:
 * <ol>
 *   <li>coarse token k: mini-batch K-Means over the embeddings (3.2.1);
 *   <li>fine tokens v1..vM: an RQ-VAE trained on the residuals x - c_k, standardised (3.2.2);
 *   <li>unique token u: the prefix database's count of earlier items with the same (k, v1..vM) (3.2.3).
 * </ol>
 * The other schemes are the ablations described in {@link Scheme}.
 */
public final class IdentifierBuilder {
  private IdentifierBuilder() {}

  /** Builds on the default backend with item ids "0" .. "n-1". */
  public static IndexResult build(float[] emb, int n, int dim, IndexConfig cfg, ProgressListener pl) {
    return build(emb, n, dim, indexIds(n), cfg, pl, Backends.get());
  }

  /**
   * @param emb item embeddings, row-major n x dim (not modified)
   * @param itemIds the items' ids, in row order (written to the TSV)
   */
  public static IndexResult build(float[] emb, int n, int dim, List<String> itemIds, IndexConfig cfg, ProgressListener pl, Backend be) {
    if (n < 1) throw new IllegalArgumentException("cannot index an empty corpus");
    cfg = cfg.copy().validate().resolved(n);
    if (emb.length < (long) n * dim) throw new IllegalArgumentException("embeddings hold " + emb.length + " values, need " + n + " x " + dim);
    if (pl == null) pl = ProgressListener.NONE;
    Map<String, Double> seconds = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    IdentifierModel model;
    int[] semantic;
    double recon = Double.NaN;
    int reconRows = 0, resets = 0, steps = 0;
    double[] epochLoss = new double[0];
    KMeans.Options kopt = new KMeans.Options(cfg.kmeansBatch, cfg.kmeansMaxSteps, cfg.kmeansMaxEpochs, cfg.kmeansPatience, 4096);
    switch (cfg.scheme) {
      case CART, RQ_ONLY -> {
        KMeans coarse = null;
        // Training rows of K-Means and the RQ-VAE: a seeded sample of at most trainSample items (all of a
        // small corpus); every item is then encoded by the fitted models.
        long t = System.nanoTime();
        Random rnd = new Random(cfg.seed ^ 0x7EA1L);
        int[] rows = cfg.trainSample > 0 && n > cfg.trainSample ? KMeans.sample(n, cfg.trainSample, rnd) : null;
        int nt = rows == null ? n : rows.length;
        float[] xt = rows == null ? java.util.Arrays.copyOf(emb, n * dim) : KMeans.gather(emb, dim, rows);
        if (cfg.normalize) CoarseFineModel.l2Normalize(xt, nt, dim);
        if (cfg.scheme == Scheme.CART) {
          int kk = clampK(cfg.k, n);
          pl.phase("coarse token: mini-batch K-Means, K = " + kk + (kk < cfg.k ? " (clamped from " + cfg.k + " to n/4)" : "")
              + (cfg.normalize ? " on L2-normalised embeddings" : ""));
          coarse = KMeans.fit(xt, nt, dim, kk, kopt, cfg.seed, be);
          int lloyd = coarse.lloyd(xt, nt, cfg.kmeansLloydIterations);
          seconds.put("k-means", secs(t));
          if (cfg.kmeansLloydIterations > 0) pl.phase("coarse token: " + lloyd + " full-batch Lloyd iterations" + (lloyd < cfg.kmeansLloydIterations ? " (converged)" : ""));
          // RQ-VAE inputs: residuals x - c_k (cart) or x (rq-only), standardised.
          CoarseFineModel.subtractCentroids(xt, nt, dim, coarse.assign(xt, nt, null), coarse.centroids());
        }
        t = System.nanoTime();
        Standardizer std = Standardizer.fit(xt, nt, dim, cfg.standardize);
        std.applyInPlace(xt, nt);
        int levels = cfg.scheme == Scheme.CART ? cfg.codebooks : cfg.codebooks + 1;
        RqVaeTrainer.Result r = RqVaeTrainer.train(xt, nt, dim, levels, cfg, be, pl);
        seconds.put("rq-vae training", secs(t));
        CoarseFineModel cf = new CoarseFineModel(coarse, std, r.model(), cfg.normalize);
        t = System.nanoTime();
        pl.phase("fine tokens: encoding " + n + " items");
        semantic = cf.assign(emb, n, 0);
        recon = cf.reconstructionError(xt, nt);
        reconRows = nt;
        seconds.put("encoding", secs(t));
        epochLoss = r.epochLoss();
        resets = r.resets();
        steps = r.steps();
        model = cf;
      }
      case HKMEANS -> {
        long t = System.nanoTime();
        int levels = cfg.codebooks + 1;
        pl.phase("hierarchical K-Means: " + levels + " levels, branching <= " + cfg.k);
        int[][] out = new int[1][];
        model = HkMeansModel.fit(emb, n, dim, levels, cfg.k, kopt, cfg.seed, be, out);
        semantic = out[0];
        seconds.put("hierarchical k-means", secs(t));
      }
      case ATOMIC -> {
        model = AtomicModel.forCorpus(cfg.atomicBase, n);
        semantic = model.assign(emb, n, 0);
      }
      default -> throw new IllegalStateException("unhandled scheme " + cfg.scheme);
    }
    long t = System.nanoTime();
    pl.phase("unique token and prefix trie");
    int[] tokens = model.uniqueToken() ? new PrefixDatabase(model.semanticLength()).appendUnique(semantic, n) : semantic;
    int[] vocab = vocab(model, tokens, n, n);
    Identifiers ids = new Identifiers(tokens, n, vocab.length, vocab);
    seconds.put("unique token + trie", secs(t));
    seconds.put("total", secs(t0));
    IndexStats train = IndexStats.training(cfg.scheme.cliName, recon, reconRows, epochLoss, steps, resets, seconds, be.name() + ": " + be.device());
    return new IndexResult(cfg, model, ids, itemIds, IndexStats.of(model, ids, train));
  }

  /** K for a corpus of n items: at most n / 4, so that clusters average at least four items (and at least 1). */
  public static int clampK(int k, int n) {
    return Math.max(1, Math.min(k, n / 4));
  }

  /** Vocabulary sizes of identifiers rows (m x length) in a corpus of n: the model's, and max u + 1 for the unique token. */
  static int[] vocab(IdentifierModel model, int[] tokens, int m, int n) {
    int[] sem = model.vocab(n);
    if (!model.uniqueToken()) return sem;
    int len = sem.length + 1, maxU = 0;
    for (int i = 0; i < m; i++) maxU = Math.max(maxU, tokens[i * len + len - 1]);
    int[] v = java.util.Arrays.copyOf(sem, len);
    v[len - 1] = maxU + 1;
    return v;
  }

  private static double secs(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  /** "0", "1", ... without materialising n strings. */
  static List<String> indexIds(int n) {
    return new AbstractList<>() {
      @Override
      public String get(int i) {
        return Integer.toString(i);
      }

      @Override
      public int size() {
        return n;
      }
    };
  }
}
