package org.cartengine.cart.ids;

import java.util.Random;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.autograd.Autograd;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.nn.Module;
import org.cartengine.engine.nn.Rng;
import org.cartengine.engine.optim.Adam;
import org.cartengine.engine.optim.LrSchedule;

/**
 * Trains an {@link RqVae} (section 3.2.2, appendix C): Adam with fairseq's warm-up + inverse square root
 * schedule, on mini-batches of (standardised) rows.
 *
 * <p>Codebook collapse, the usual failure of RQ-VAEs, is fought twice: each level's codebook starts
 * as the k-means centroids of that level's inputs under the untrained encoder (r_0 = E(x), r_1 = r_0 -
 * e_1, ...), and after every epoch but the last, codes that no row chose during the epoch are moved to
 * random recent inputs of their level (a "dead code reset").
 */
final class RqVaeTrainer {
  private RqVaeTrainer() {}

  /** Rows per forward pass when encoding a whole corpus. */
  static final int CHUNK = 4096;

  /**
   * @param epochLoss mean training loss of each epoch
   * @param resets dead codes moved, summed over epochs and levels
   * @param steps optimiser steps taken
   */
  record Result(RqVae model, double[] epochLoss, int resets, int steps) {}

  /** Trains on the n rows of x (n x dim, already standardised; the caller samples them, see IndexConfig#trainSample). */
  static Result train(float[] xt, int nt, int dim, int levels, IndexConfig cfg, Backend be, ProgressListener pl) {
    Random rnd = new Random(cfg.seed ^ 0x5EEDL);
    int size = Math.min(cfg.codebookSize, nt);
    RqVae model = new RqVae(be, new Rng(cfg.seed), dim, cfg.hidden, cfg.latentDim, levels, size, cfg.alpha, cfg.beta);
    pl.phase("RQ-VAE: codebooks from k-means of each level's residuals (" + nt + " rows)");
    initCodebooks(model, xt, nt, cfg, be);

    int b = Math.min(cfg.batchSize, nt);
    int perEpoch = (nt + b - 1) / b;
    LrSchedule lr = LrSchedule.inverseSqrt(cfg.lr, cfg.warmupEpochs * perEpoch, cfg.warmupInitLr);
    Adam opt = new Adam(model.parameters(), 0.9, 0.999, 1e-8, 0);
    double[] epochLoss = new double[cfg.epochs];
    int latent = model.latentDim(), resets = 0, step = 0;
    // Per level: recent inputs (a ring of `size` rows) as replacements for dead codes.
    float[][] recent = new float[levels][size * latent];
    int[] recentFill = new int[levels];
    int[] order = new int[nt];
    for (int i = 0; i < nt; i++) order[i] = i;
    float[] batch = new float[b * dim];
    pl.phase("RQ-VAE: training " + cfg.epochs + " epochs x " + perEpoch + " steps");
    pl.start("RQ-VAE", (long) cfg.epochs * perEpoch);
    for (int epoch = 0; epoch < cfg.epochs; epoch++) {
      shuffle(order, rnd);
      long[][] usage = new long[levels][size];
      double lossSum = 0;
      for (int s = 0; s < nt; s += b) {
        int m = Math.min(b, nt - s);
        float[] bx = m == b ? batch : new float[m * dim];
        for (int i = 0; i < m; i++) System.arraycopy(xt, order[s + i] * dim, bx, i * dim, dim);
        Tensor xb = Tensor.of(be, bx, m, dim);
        RqVae.Output out = model.forward(xb);
        double loss = out.loss().item();
        out.loss().backward();
        opt.step(lr.lr(++step), cfg.clipNorm);
        opt.zeroGrad();
        for (int l = 0; l < levels; l++) {
          int[] codes = out.codes()[l].toIntArray();
          for (int c : codes) usage[l][c]++;
          float[] in = out.levelInputs()[l].toFloatArray();
          for (int i = 0; i < m; i++) {
            int slot = recentFill[l]++ % size;
            System.arraycopy(in, i * latent, recent[l], slot * latent, latent);
          }
        }
        xb.close();
        lossSum += loss * m;
        pl.progress(step, String.format("epoch %d/%d loss %.4f", epoch + 1, cfg.epochs, loss));
      }
      epochLoss[epoch] = lossSum / nt;
      if (cfg.resetDeadCodes && epoch + 1 < cfg.epochs) resets += resetDeadCodes(model, usage, recent, recentFill, rnd);
    }
    pl.end();
    return new Result(model, epochLoss, resets, step);
  }

  /** Codebook m := k-means centroids of the level-m inputs of the training rows under the current encoder. */
  static void initCodebooks(RqVae model, float[] x, int n, IndexConfig cfg, Backend be) {
    int latent = model.latentDim(), size = model.codebookSize();
    float[] r = encodeAll(model, x, n, be);
    KMeans.Options opt = new KMeans.Options(cfg.kmeansBatch, cfg.kmeansMaxSteps, cfg.kmeansMaxEpochs, cfg.kmeansPatience, 4096);
    for (int m = 0; m < model.levels(); m++) {
      KMeans km = KMeans.fit(r, n, latent, size, opt, cfg.seed + 1000 + m, be);
      Module.assign(model.codebooks[m], Tensor.of(be, km.centroids(), size, latent));
      int[] idx = km.assign(r, n, null);
      float[] c = km.centroids();
      for (int i = 0; i < n; i++) for (int j = 0; j < latent; j++) r[i * latent + j] -= c[idx[i] * latent + j];
    }
  }

  /** E(x) for all n rows, on the host. */
  static float[] encodeAll(RqVae model, float[] x, int n, Backend be) {
    int dim = model.inDim(), latent = model.latentDim();
    float[] z = new float[n * latent];
    try (AutoCloseable ng = Autograd.noGrad()) {
      for (int s = 0; s < n; s += CHUNK) {
        int m = Math.min(CHUNK, n - s);
        try (Tensor xb = Tensor.of(be, java.util.Arrays.copyOfRange(x, s * dim, (s + m) * dim), m, dim)) {
          System.arraycopy(model.encode(xb).toFloatArray(), 0, z, s * latent, m * latent);
        }
      }
    } catch (Exception e) {
      throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
    }
    return z;
  }

  /** Moves codes with zero usage to distinct random rows of their level's recent inputs; returns how many moved. */
  static int resetDeadCodes(RqVae model, long[][] usage, float[][] recent, int[] recentFill, Random rnd) {
    int latent = model.latentDim(), size = model.codebookSize(), moved = 0;
    for (int l = 0; l < usage.length; l++) {
      int avail = Math.min(recentFill[l], size);
      if (avail == 0) continue;
      float[] book = null;
      int[] pool = KMeans.sample(avail, avail, rnd);
      int next = 0;
      for (int c = 0; c < size; c++) {
        if (usage[l][c] > 0) continue;
        if (book == null) book = model.codebooks[l].toFloatArray();
        System.arraycopy(recent[l], pool[next++ % avail] * latent, book, c * latent, latent);
        moved++;
      }
      if (book != null) Module.assign(model.codebooks[l], Tensor.of(model.codebooks[l].backend(), book, size, latent));
    }
    return moved;
  }

  private static void shuffle(int[] a, Random rnd) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
