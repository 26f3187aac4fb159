package org.cartengine.engine.backend.parity;

import org.cartengine.engine.DType;
import org.cartengine.engine.backend.ReduceOp;
import org.cartengine.engine.backend.parity.Parity.Twin;

/** Parity of the row methods: reductions with argmax, softmax and log-softmax, cross-entropy, KL divergence, layer norm. */
final class RowChecks {
  private RowChecks() {}

  static void reduce(Parity p) {
    int[][] shapes = {{3, 17, 1}, {2, 300, 1}, {4, 7, 33}, {1, 1000, 5}, {5, 1, 3}, {1, 64, 1}};
    for (int[] s : shapes) {
      int outer = s[0], len = s[1], inner = s[2], n = outer * len * inner;
      for (ReduceOp op : ReduceOp.values()) {
        Twin x = p.random(n), out = p.zeros(outer * inner), arg = op == ReduceOp.MAX ? p.zeros(DType.I32, outer * inner) : null;
        p.both((be, sd) -> be.reduce(op, sd.b(x), sd.b(out), sd.b(arg), outer, len, inner));
        String what = "reduce " + op + " [" + outer + ", " + len + ", " + inner + "]";
        if (arg == null) {
          p.close(what, out, len);
        } else {
          p.exact(what, out);
          p.sameInts(what + " argmax", arg);
          Twin dout = p.random(outer * inner), dx = p.random(n);
          p.both((be, sd) -> be.maxBackward(sd.b(dout), sd.b(arg), sd.b(dx), outer, len, inner));
          p.exact("maxBackward", dx);
        }
      }
    }
    // ties: the first maximum wins, across threads and lanes too
    int outer = 3, len = 200;
    int[] vals = p.randInts(outer * len, 0, 4);
    double[] v = new double[vals.length];
    for (int i = 0; i < v.length; i++) v[i] = vals[i];
    for (int in : new int[] {1, 2}) {
      int l = len / in;
      Twin x = p.values(v), out = p.zeros(outer * in), arg = p.zeros(DType.I32, outer * in);
      p.both((be, sd) -> be.reduce(ReduceOp.MAX, sd.b(x), sd.b(out), sd.b(arg), outer, l, in));
      p.sameInts("reduce MAX ties argmax (inner " + in + ")", arg);
    }
  }

  static void reduceRagged(Parity p) {
    for (int trial = 0; trial < 16; trial++) {
      int outer = p.size(65), len = p.size(130), inner = trial % 2 == 0 ? 1 : p.size(65);
      if (trial == 0) {
        outer = 600;
        len = 130;
      } else if (trial == 1) {
        outer = 1;
        len = 300;
        inner = 257;
      }
      int o = outer, l = len, in = inner;
      Twin x = p.random(o * l * in), sum = p.zeros(o * in), max = p.zeros(o * in);
      Twin arg = p.ints(new int[o * in]);
      String what = " outer=" + o + " len=" + l + " inner=" + in;
      p.both((be, s) -> be.reduce(ReduceOp.SUM, s.b(x), s.b(sum), null, o, l, in));
      p.close("reduce SUM" + what, sum, l);
      p.both((be, s) -> be.reduce(ReduceOp.MAX, s.b(x), s.b(max), s.b(arg), o, l, in));
      p.exact("reduce MAX" + what, max);
      p.sameInts("reduce MAX argmax" + what, arg);
      Twin dout = p.random(o * in), dx = p.random(o * l * in);
      Twin argIn = p.ints(p.readRefInts(arg));
      p.both((be, s) -> be.maxBackward(s.b(dout), s.b(argIn), s.b(dx), o, l, in));
      p.exact("maxBackward" + what, dx);
    }
  }

  /** Logits in [-20, 20] with 1e4 added to the first row: stable kernels keep full precision there. */
  private static Twin largeFirstRow(Parity p, int rows, int cols) {
    double[] v = new double[rows * cols];
    for (int i = 0; i < v.length; i++) v[i] = -20 + 40 * p.rnd.nextDouble() + (i < cols ? 1e4 : 0);
    return p.values(v);
  }

  /** Logits [rows, cols] in [-5, 5), the first row shifted by 1e4 (stability). */
  private static float[] logits(Parity p, int rows, int cols) {
    float[] v = p.uniform(rows * cols, -5, 5);
    for (int j = 0; j < cols; j++) v[j] += 1e4f;
    return v;
  }

  private static void softmaxOnce(Parity p, Twin x, int rows, int cols, boolean log, String what) {
    Twin y = p.zeros(rows * cols);
    p.both((be, s) -> be.softmax(s.b(x), s.b(y), rows, cols, log));
    p.close(what, y, cols);
    Twin ys = p.refResult(y), dy = p.random(rows * cols), dx = p.zeros(rows * cols);
    p.both((be, s) -> be.softmaxBackward(s.b(ys), s.b(dy), s.b(dx), rows, cols, log));
    p.close(what + " backward", dx, cols);
  }

  static void softmax(Parity p) {
    int[][] shapes = {{5, 7}, {3, 300}, {2, 1}, {17, 64}, {4, 1500}, {2, 3000}};  // rows longer than 2048 leave the register cache
    for (int[] s : shapes) {
      int rows = s[0], cols = s[1];
      for (boolean log : new boolean[] {false, true})
        softmaxOnce(p, largeFirstRow(p, rows, cols), rows, cols, log, (log ? "logSoftmax " : "softmax ") + rows + "x" + cols);
    }
  }

  static void softmaxRagged(Parity p) {
    for (int trial = 0; trial < 10; trial++) {
      int rows = trial == 0 ? 300 : p.size(65), cols = trial == 0 ? 257 : p.size(130);
      for (boolean log : new boolean[] {false, true})
        softmaxOnce(p, p.floats(logits(p, rows, cols)), rows, cols, log, (log ? "logSoftmax" : "softmax") + " rows=" + rows + " cols=" + cols);
    }
  }

  private static void crossEntropyOnce(Parity p, Twin x, int[] targets, int rows, int cols, int ignore, double smoothing) {
    Twin t = p.ints(targets), loss = p.zeros(rows);
    String what = "crossEntropy rows=" + rows + " cols=" + cols + " ignore=" + ignore + " smoothing=" + smoothing;
    p.both((be, s) -> be.crossEntropy(s.b(x), s.b(t), s.b(loss), rows, cols, ignore, smoothing));
    // the loss and the probabilities of its gradient come from the row's log-sum-exp, a number as large as the
    // row's logits (1e4 in a shifted row): their terms are that large
    double[] logit = p.readRef(x), magnitude = new double[rows];
    for (int i = 0; i < logit.length; i++) magnitude[i / cols] = Math.max(Math.max(1, magnitude[i / cols]), Math.abs(logit[i]));
    p.close(what, loss, 4 * cols, i -> magnitude[i]);
    Twin dloss = p.random(rows), dx = p.random(rows * cols);
    p.both((be, s) -> be.crossEntropyBackward(s.b(x), s.b(t), s.b(dloss), s.b(dx), rows, cols, ignore, smoothing));
    p.close(what + " backward", dx, cols, i -> magnitude[i / cols]);
  }

  static void crossEntropy(Parity p) {
    int[][] shapes = {{6, 10}, {9, 257}, {1, 3000}};
    for (int[] s : shapes) {
      int rows = s[0], cols = s[1];
      int[] t = p.randInts(rows, 0, cols);
      if (rows > 2) t[1] = -100;  // ignored row
      for (double eps : new double[] {0, 0.1}) crossEntropyOnce(p, largeFirstRow(p, rows, cols), t, rows, cols, -100, eps);
    }
  }

  static void crossEntropyRagged(Parity p) {
    for (int trial = 0; trial < 12; trial++) {
      int rows = trial == 0 ? 300 : p.size(65), cols = trial == 0 ? 257 : p.size(130);
      int ignore = trial % 3 == 0 ? 0 : -100;
      double smoothing = trial % 2 == 0 ? 0 : 0.1;
      int[] tv = new int[rows];
      for (int r = 0; r < rows; r++) tv[r] = p.rnd.nextInt(5) == 0 ? ignore : p.rnd.nextInt(cols);
      crossEntropyOnce(p, p.floats(logits(p, rows, cols)), tv, rows, cols, ignore, smoothing);
    }
  }

  /** Rows of log-probabilities: the reference's log-softmax of logits in [lo, hi), as an input of both sides. */
  private static Twin logProbs(Parity p, Twin x, int rows, int cols) {
    Twin y = p.zeros(rows * cols);
    p.ref.softmax(x.ref, y.ref, rows, cols, true);
    return p.refResult(y);
  }

  private static void klDivOnce(Parity p, Twin lp, Twin lq, int rows, int cols) {
    Twin out = p.zeros(rows);
    String what = "klDiv rows=" + rows + " cols=" + cols;
    p.both((be, s) -> be.klDiv(s.b(lp), s.b(lq), s.b(out), rows, cols));
    p.close(what, out, 4 * cols);
    Twin dout = p.random(rows), dp = p.zeros(rows * cols), dq = p.zeros(rows * cols);
    p.both((be, s) -> be.klDivBackward(s.b(lp), s.b(lq), s.b(dout), s.b(dp), s.b(dq), rows, cols));
    p.close(what + " backward dlogP", dp, 1);
    p.close(what + " backward dlogQ", dq, 1);
    Twin dq2 = p.zeros(rows * cols);
    p.both((be, s) -> be.klDivBackward(s.b(lp), s.b(lq), s.b(dout), null, s.b(dq2), rows, cols));
    p.close(what + " backward (dlogP null) dlogQ", dq2, 1);
  }

  static void klDiv(Parity p) {
    int rows = 7, cols = 45, n = rows * cols;
    klDivOnce(p, logProbs(p, p.rand(n, -3, 3), rows, cols), logProbs(p, p.rand(n, -3, 3), rows, cols), rows, cols);
  }

  static void klDivRagged(Parity p) {
    for (int trial = 0; trial < 10; trial++) {
      int rows = trial == 0 ? 300 : p.size(65), cols = trial == 0 ? 257 : p.size(130);
      Twin lp = logProbs(p, p.floats(p.uniform(rows * cols, -3, 3)), rows, cols);
      Twin lq = logProbs(p, p.floats(p.uniform(rows * cols, -3, 3)), rows, cols);
      klDivOnce(p, lp, lq, rows, cols);
    }
  }

  private static void layerNormOnce(Parity p, Twin x, Twin gamma, Twin beta, int rows, int cols) {
    Twin y = p.zeros(rows * cols), mean = p.zeros(rows), rstd = p.zeros(rows);
    String what = "layerNorm rows=" + rows + " cols=" + cols;
    p.both((be, s) -> be.layerNorm(s.b(x), s.b(gamma), s.b(beta), s.b(y), s.b(mean), s.b(rstd), rows, cols, 1e-5));
    // x - mean cancels where a row's spread is small beside its mean: the terms of a normalised value are
    // (|mean| + spread) / spread = 1 + |mean| * rstd times larger than the value
    double[] mu = p.readRef(mean), rs = p.readRef(rstd), cond = new double[rows];
    double worst = 1;
    for (int r = 0; r < rows; r++) worst = Math.max(worst, cond[r] = 1 + Math.abs(mu[r]) * rs[r]);
    double wc = worst;
    p.close(what + " y", y, 4 * cols, i -> cond[i / cols]);
    p.close(what + " mean", mean, 4 * cols);
    p.close(what + " rstd", rstd, 4 * cols, i -> cond[i]);
    Twin m = p.refResult(mean), r = p.refResult(rstd), dy = p.random(rows * cols);
    Twin dx = p.zeros(rows * cols), dg = p.random(cols), db = p.random(cols);
    p.both((be, s) -> be.layerNormBackward(s.b(x), s.b(gamma), s.b(m), s.b(r), s.b(dy), s.b(dx), s.b(dg), s.b(db), rows, cols));
    p.close(what + " backward dx", dx, 4 * cols, i -> cond[i / cols]);
    p.close(what + " backward dgamma", dg, 4 * rows, i -> wc);
    p.close(what + " backward dbeta", db, 4 * rows);
  }

  static void layerNorm(Parity p) {
    int[][] shapes = {{4, 16}, {33, 100}, {300, 8}, {2, 1030}, {1000, 64}, {3, 2100}};
    for (int[] s : shapes) {
      int rows = s[0], cols = s[1];
      layerNormOnce(p, p.rand(rows * cols, -2, 3), p.rand(cols, 0.5, 1.5), p.random(cols), rows, cols);
    }
  }

  static void layerNormRagged(Parity p) {
    for (int trial = 0; trial < 10; trial++) {
      int rows = trial == 0 ? 300 : p.size(65), cols = trial == 0 ? 257 : p.size(130);
      float[] xv = p.uniform(rows * cols, -2, 2);
      for (int i = 0; i < xv.length; i++) xv[i] += 3;
      layerNormOnce(p, p.floats(xv), p.floats(p.signed(cols, 0.5, 1.5)), p.random(cols), rows, cols);
    }
  }
}
