package org.cartengine.engine.backend.parity;

import java.util.Arrays;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.parity.Parity.Twin;

/**
 * Parity of fused scaled dot-product attention, forward (output and log-sum-exp) and backward, with both masks, and
 * of decode attention (rows over their group's memory).
 */
final class AttentionChecks {
  private AttentionChecks() {}

  /** One case; pad is null or the key-padding mask [B, Tk] (1 keeps a key). */
  private static void once(Parity p, int b, int h, int tq, int tk, int d, boolean causal, int[] pad, double lo, double hi) {
    String what = "attention B=" + b + " H=" + h + " Tq=" + tq + " Tk=" + tk + " D=" + d + " causal=" + causal + " padding=" + (pad != null);
    double scale = 1 / Math.sqrt(d);
    int nq = b * h * tq * d, nk = b * h * tk * d;
    Twin q = p.rand(nq, lo, hi), k = p.rand(nk, lo, hi), v = p.random(nk), kp = pad == null ? null : p.ints(pad);
    Twin out = p.zeros(nq), lse = p.zeros(b * h * tq);
    p.both((be, s) -> be.attention(s.b(q), s.b(k), s.b(v), s.b(kp), s.b(out), s.b(lse), b, h, tq, tk, d, scale, causal));
    p.close(what + " out", out, 4 * tk);
    p.close(what + " lse", lse, 4 * (tk + d));
    // the backward reads the forward's outputs: both sides get the reference's
    Twin o = p.refResult(out), l = p.refResult(lse), dout = p.random(nq);
    Twin dq = p.random(nq), dk = p.random(nk), dv = p.random(nk);
    p.both((be, s) -> be.attentionBackward(s.b(q), s.b(k), s.b(v), s.b(kp), s.b(o), s.b(l), s.b(dout), s.b(dq), s.b(dk), s.b(dv), b, h, tq, tk, d, scale, causal));
    int kk = 4 * (tq + tk) * d;
    p.close(what + " backward dq", dq, kk);
    p.close(what + " backward dk", dk, kk);
    p.close(what + " backward dv", dv, kk);
  }

  static void attention(Parity p) {
    // {B, H, Tq, Tk, D, causal, padded}
    int[][] cases = {
        {2, 3, 5, 5, 8, 0, 0}, {2, 2, 7, 9, 16, 1, 1}, {3, 1, 4, 4, 64, 1, 0}, {1, 2, 32, 32, 64, 0, 1},
        {1, 1, 40, 37, 24, 1, 1}, {2, 1, 6, 6, 70, 0, 1}, {1, 2, 9, 3, 5, 1, 0}, {2, 2, 33, 70, 32, 0, 1}, {1, 1, 1, 1, 1, 0, 0}};
    for (int[] cs : cases) {
      int b = cs[0], tk = cs[3];
      int[] mask = null;
      if (cs[6] == 1) {
        mask = new int[b * tk];
        for (int i = 0; i < mask.length; i++) mask[i] = p.rnd.nextInt(4) == 0 ? 0 : 1;
        for (int j = 0; j < tk; j++) mask[j] = 0;  // batch 0 fully padded: rows with no key
      }
      once(p, b, cs[1], cs[2], tk, cs[4], cs[5] == 1, mask, -2, 2);
    }
  }

  static void attentionRagged(Parity p) {
    int[] dims = {1, 7, 16, 33, 64};
    for (int trial = 0; trial < 14; trial++) {
      int b = 1 + p.rnd.nextInt(3), h = 1 + p.rnd.nextInt(4), tq = p.size(33), tk = p.size(33), d = dims[p.rnd.nextInt(dims.length)];
      if (trial == 0) {
        b = 4;
        h = 8;
        tq = 32;
        tk = 32;
        d = 64;
      }
      boolean causal = p.rnd.nextBoolean(), padded = trial % 3 != 1;
      int[] pv = null;
      if (padded) {
        pv = new int[b * tk];
        for (int i = 0; i < pv.length; i++) pv[i] = p.rnd.nextInt(10) < 7 ? 1 : 0;
        if (trial % 4 == 0) Arrays.fill(pv, 0, tk, 0); // batch 0 has every key padded: zero output, lse -inf
      }
      once(p, b, h, tq, tk, d, causal, pv, -1, 1);
    }
  }

  /**
   * decodeAttention: G groups of S rows in the rows' layout [G, S, H, D] over keys [G, H, D, Tk] (transposed) or
   * [G, H, Tk, D] and values [G, H, Tk, D]; the search's shapes (a beam of rows over a short memory, S = 1 over a
   * cache), odd ones, and ragged groups (0 to S rows each, as a search's last position decodes), some groups with every
   * key padded. Also the composition of the backends without a fused kernel, run on this backend.
   */
  static void decodeAttention(Parity p) {
    // {G, S, H, Tk, D, padded, keys transposed, ragged}
    int[][] cases = {{3, 10, 4, 9, 16, 1, 1, 0}, {5, 1, 4, 3, 16, 0, 0, 0}, {3, 10, 4, 4, 16, 0, 0, 0}, {2, 7, 2, 17, 8, 1, 1, 0},
        {1, 5, 1, 1, 1, 0, 0, 0}, {4, 3, 3, 33, 24, 1, 0, 0}, {2, 4, 2, 8, 64, 0, 1, 0}, {6, 1, 4, 9, 16, 1, 1, 0}, {8, 10, 4, 9, 16, 1, 1, 1},
        {5, 6, 2, 5, 8, 0, 0, 1}};
    for (int trial = 0; trial < cases.length + 14; trial++) {
      int[] cs = trial < cases.length ? cases[trial]
          : new int[] {1 + p.rnd.nextInt(6), p.size(12), 1 + p.rnd.nextInt(4), p.size(20), 1 + p.rnd.nextInt(40), p.rnd.nextInt(2), p.rnd.nextInt(2),
              p.rnd.nextInt(2)};
      int g = cs[0], s = cs[1], h = cs[2], tk = cs[3], d = cs[4];
      boolean transposed = cs[6] == 1, ragged = cs[7] == 1;
      int[] groupStart = Backend.evenGroups(g, s);
      if (ragged) {
        for (int i = 0; i < g; i++) groupStart[i + 1] = groupStart[i] + p.rnd.nextInt(s + 1);
        if (groupStart[g] == 0) groupStart[g] = 1; // at least one row, in the last group
      }
      int[] pad = null;
      if (cs[5] == 1) {
        pad = new int[g * tk];
        for (int i = 0; i < pad.length; i++) pad[i] = p.rnd.nextInt(4) == 0 ? 0 : 1;
        for (int j = 0; j < tk; j++) pad[j] = 0; // group 0 has every key padded: its rows output zeros
      }
      int rows = groupStart[g];
      String what = "decodeAttention G=" + g + " rows=" + (ragged ? Arrays.toString(groupStart) : "S=" + s) + " H=" + h + " Tk=" + tk + " D=" + d
          + " padding=" + (pad != null) + " keys transposed=" + transposed;
      int nq = rows * h * d, nk = g * h * tk * d;
      Twin q = p.rand(nq, -2, 2), k = p.rand(nk, -2, 2), v = p.random(nk), kp = pad == null ? null : p.ints(pad);
      Twin out = p.random(nq); // garbage: every element must be written
      double scale = 1 / Math.sqrt(d);
      int[] starts = groupStart;
      p.both((be, sc) -> be.decodeAttention(sc.b(q), sc.b(k), sc.b(v), sc.b(kp), sc.b(out), starts, h, tk, d, scale, transposed));
      p.close(what, out, 4 * (tk + d));
      Twin composed = p.random(nq);
      p.both((be, sc) -> Backend.decodeAttentionByAttention(be, sc.b(q), sc.b(k), sc.b(v), sc.b(kp), sc.b(composed), starts, h, tk, d, scale, transposed));
      p.close(what + " by attention", composed, 4 * (tk + d));
    }
  }
}
