package org.cartengine.engine.backend.parity;

import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.parity.Parity.Twin;

/** Parity of the methods driven by indices: embedding gather and scatter-add, nearest codebook entry (RQ-VAE). */
final class IndexChecks {
  private IndexChecks() {}

  private static void embeddingOnce(Parity p, int n, int dim, int vocab) {
    Twin table = p.random(vocab * dim), idx = p.ints(p.randInts(n, 0, vocab)), out = p.zeros(n * dim);
    String what = " n=" + n + " dim=" + dim + " vocab=" + vocab;
    p.both((be, s) -> be.gather(s.b(table), s.b(idx), s.b(out), n, dim, vocab));
    p.exact("gather" + what, out);
    Twin dout = p.random(n * dim), dtable = p.random(vocab * dim);
    p.both((be, s) -> be.scatterAdd(s.b(dout), s.b(idx), s.b(dtable), n, dim, vocab));
    p.close("scatterAdd" + what, dtable, n);
  }

  static void embedding(Parity p) {
    embeddingOnce(p, 300, 24, 50);
  }

  static void embeddingRagged(Parity p) {
    for (int trial = 0; trial < 10; trial++) {
      int n = trial == 0 ? 2000 : p.size(130), dim = trial == 0 ? 257 : p.size(130), vocab = 1 + p.rnd.nextInt(13);
      embeddingOnce(p, n, dim, vocab);
    }
  }

  static void vq(Parity p) {
    Backend dev = p.dut, ref = p.ref;
    int[][] cases = {{100, 16, 8}, {33, 70, 40}, {5, 3, 1}, {64, 256, 64}};
    for (int[] cs : cases) {
      int n = cs[0], k = cs[1], d = cs[2];
      Twin x = p.random(n * d), code = p.random(k * d), idx = p.zeros(DType.I32, n), dist = p.zeros(n);
      if (k >= 3) {
        // duplicate code rows: equal distances, the lower index must win
        dev.copyStrided(code.dut, 0, new int[] {1}, code.dut, d * (k - 1), new int[] {1}, new int[] {d}, false);
        ref.copyStrided(code.ref, 0, new int[] {1}, code.ref, d * (k - 1), new int[] {1}, new int[] {d}, false);
        // and a row of x equal to a code row
        dev.copyStrided(code.dut, 0, new int[] {1}, x.dut, 0, new int[] {1}, new int[] {d}, false);
        ref.copyStrided(code.ref, 0, new int[] {1}, x.ref, 0, new int[] {1}, new int[] {d}, false);
      }
      p.both((be, s) -> be.vqNearest(s.b(x), s.b(code), s.b(idx), s.b(dist), n, k, d));
      p.sameInts("vqNearest n" + n + " k" + k + " d" + d, idx);
      p.close("vqNearest distance", dist, 4 * d);
      dev.vqNearest(x.dut, code.dut, idx.dut, null, n, k, d);
      p.sameInts("vqNearest (dist null)", idx);
    }
  }

  static void vqRagged(Parity p) {
    int[] ks = {1, 7, 33, 65, 256}, dims = {1, 7, 16, 33, 64};
    for (int trial = 0; trial < 12; trial++) {
      int n = trial == 0 ? 200 : p.size(130), k = ks[p.rnd.nextInt(ks.length)], d = dims[p.rnd.nextInt(dims.length)];
      float[] xv = p.uniform(n * d, -1, 1), cv = p.uniform(k * d, -1, 1);
      Twin x = p.floats(xv), cb = p.floats(cv), idx = p.ints(new int[n]), dist = p.zeros(n);
      p.both((be, s) -> be.vqNearest(s.b(x), s.b(cb), s.b(idx), s.b(dist), n, k, d));
      String what = "vqNearest n=" + n + " k=" + k + " d=" + d;
      int[] ri = p.readRefInts(idx), di = p.readDutInts(idx);
      double tol = 1e-5 * Math.sqrt(d) * 4;
      for (int r = 0; r < n; r++) {
        double[] dd = new double[k];
        double best = Double.POSITIVE_INFINITY, second = Double.POSITIVE_INFINITY;
        for (int c = 0; c < k; c++) {
          for (int j = 0; j < d; j++) dd[c] += Math.pow(xv[r * d + j] - cv[c * d + j], 2);
          if (dd[c] < best) {
            second = best;
            best = dd[c];
          } else if (dd[c] < second) second = dd[c];
        }
        int row = r;
        double b = best, chosen = dd[di[r]];
        p.check(chosen <= best + tol, () -> what + ": row " + row + " chose code " + di[row] + " at " + chosen + ", nearest is " + ri[row] + " at " + b);
        if (second - best > tol) p.check(ri[r] == di[r], () -> what + ": row " + row + " (clear winner) chose " + di[row] + ", reference " + ri[row]);
      }
      p.close(what + " distance", dist, 4 * d);
    }
    // Exact duplicates tie, and the lowest index wins.
    int k = 12, d = 9, n = 20;
    float[] cv = p.uniform(k * d, -1, 1);
    for (int dup : new int[] {5, 9}) System.arraycopy(cv, 2 * d, cv, dup * d, d);
    float[] xv = new float[n * d];
    for (int r = 0; r < n; r++) for (int j = 0; j < d; j++) xv[r * d + j] = cv[(r % 2 == 0 ? 5 : 9) * d + j] + (float) (0.01 * p.rnd.nextGaussian());
    Twin x = p.floats(xv), cb = p.floats(cv), idx = p.ints(new int[n]);
    p.both((be, s) -> be.vqNearest(s.b(x), s.b(cb), s.b(idx), null, n, k, d));
    for (int i : p.readDutInts(idx)) p.check(i == 2, () -> "vqNearest: duplicates of code 2 must resolve to the lowest index, got " + i);
    p.sameInts("vqNearest duplicates", idx);
  }
}
