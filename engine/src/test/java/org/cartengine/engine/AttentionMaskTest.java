package org.cartengine.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.reference.ReferenceBackend;
import org.cartengine.engine.ops.Attention;
import org.junit.jupiter.api.Test;

/** Masked keys (padding, or the future under a causal mask) get zero weight and zero gradient. */
class AttentionMaskTest {
  private static final Backend REF = new ReferenceBackend();
  private static final int B = 2, H = 2, TQ = 3, TK = 4, D = 3;
  // Batch 0 pads its last key, batch 1 its first and third.
  private static final int[] PAD = {1, 1, 1, 0, 0, 1, 0, 1};

  private static double[] randn(Random rng, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = rng.nextGaussian();
    return v;
  }

  private static Tensor t(double[] v, int... shape) {
    return Tensor.of(REF, DType.F64, v, shape).requiresGrad(true);
  }

  /** Whether key j of batch b is hidden from query i. */
  private static boolean masked(int b, int i, int j, boolean padded, boolean causal) {
    return padded && PAD[b * TK + j] == 0 || causal && j > i + TK - TQ;
  }

  /** Overwrites every masked key and value row with other values: the output must not change at all. */
  private static void checkMaskedKeysAreInvisible(boolean padded, boolean causal) {
    Random rng = new Random(11);
    double[] q = randn(rng, B * H * TQ * D), k = randn(rng, B * H * TK * D), v = randn(rng, B * H * TK * D);
    Tensor pad = padded ? Tensor.ofInts(REF, PAD, B, TK) : null;
    double[] out = Attention.attention(t(q, B, H, TQ, D), t(k, B, H, TK, D), t(v, B, H, TK, D), pad, causal).toDoubleArray();
    double[] k2 = k.clone(), v2 = v.clone();
    for (int b = 0; b < B; b++)
      for (int h = 0; h < H; h++)
        for (int j = 0; j < TK; j++)
          if (padded && PAD[b * TK + j] == 0)
            for (int c = 0; c < D; c++) {
              int at = ((b * H + h) * TK + j) * D + c;
              k2[at] = 100 * rng.nextGaussian();
              v2[at] = 100 * rng.nextGaussian();
            }
    if (causal) {
      // Under the causal mask only query rows that cannot see key j stay unchanged, so compare row by row.
      for (int j = 0; j < TK; j++) {
        double[] k3 = k2.clone(), v3 = v2.clone();
        for (int b = 0; b < B; b++)
          for (int h = 0; h < H; h++)
            for (int c = 0; c < D; c++) {
              int at = ((b * H + h) * TK + j) * D + c;
              k3[at] += 50;
              v3[at] -= 50;
            }
        double[] out3 = Attention.attention(t(q, B, H, TQ, D), t(k3, B, H, TK, D), t(v3, B, H, TK, D), pad, causal).toDoubleArray();
        for (int b = 0; b < B; b++)
          for (int h = 0; h < H; h++)
            for (int i = 0; i < TQ; i++)
              if (masked(b, i, j, false, true))
                for (int c = 0; c < D; c++) {
                  int at = ((b * H + h) * TQ + i) * D + c;
                  assertEquals(out[at], out3[at], 0.0, "query " + i + " changed with future key " + j);
                }
      }
    } else {
      double[] out2 = Attention.attention(t(q, B, H, TQ, D), t(k2, B, H, TK, D), t(v2, B, H, TK, D), pad, false).toDoubleArray();
      assertArrayEquals(out, out2, 0.0);
    }
  }

  @Test
  void paddedKeysAndValuesDoNotChangeTheOutput() {
    checkMaskedKeysAreInvisible(true, false);
  }

  @Test
  void futureKeysDoNotChangeEarlierQueries() {
    checkMaskedKeysAreInvisible(false, true);
    checkMaskedKeysAreInvisible(true, true);
  }

  @Test
  void paddingEqualsLeavingTheKeysOut() {
    // Batch 0 with its padded key 3 against the same attention over keys 0..2 only.
    Random rng = new Random(5);
    double[] q = randn(rng, H * TQ * D), k = randn(rng, H * TK * D), v = randn(rng, H * TK * D);
    double[] masked = Attention.attention(t(q, 1, H, TQ, D), t(k, 1, H, TK, D), t(v, 1, H, TK, D), Tensor.ofInts(REF, new int[] {1, 1, 1, 0}, 1, TK), false)
        .toDoubleArray();
    Tensor kk = t(k, 1, H, TK, D).slice(2, 0, 3), vv = t(v, 1, H, TK, D).slice(2, 0, 3);
    double[] dropped = Attention.attention(t(q, 1, H, TQ, D), kk, vv, null, false).toDoubleArray();
    assertArrayEquals(dropped, masked, 1e-12);
  }

  @Test
  void maskedKeysGetZeroGradient() {
    for (boolean causal : new boolean[] {false, true}) {
      Random rng = new Random(9);
      Tensor q = t(randn(rng, B * H * TQ * D), B, H, TQ, D), k = t(randn(rng, B * H * TK * D), B, H, TK, D), v = t(randn(rng, B * H * TK * D), B, H, TK, D);
      Tensor out = Attention.attention(q, k, v, Tensor.ofInts(REF, PAD, B, TK), causal);
      out.backward(Tensor.of(REF, DType.F64, randn(rng, out.numel()), out.shape()));
      double[] dk = k.grad().toDoubleArray(), dv = v.grad().toDoubleArray();
      for (int b = 0; b < B; b++)
        for (int h = 0; h < H; h++)
          for (int j = 0; j < TK; j++) {
            boolean seenByNone = true;
            for (int i = 0; i < TQ; i++) seenByNone &= masked(b, i, j, true, causal);
            if (!seenByNone) continue;
            for (int c = 0; c < D; c++) {
              int at = ((b * H + h) * TK + j) * D + c;
              assertEquals(0.0, dk[at], 0.0, "dk of masked key " + j + " (batch " + b + ", causal " + causal + ")");
              assertEquals(0.0, dv[at], 0.0, "dv of masked key " + j + " (batch " + b + ", causal " + causal + ")");
            }
          }
    }
  }

  @Test
  void aQueryWithEveryKeyMaskedOutputsZerosAndPassesNoGradient() {
    Random rng = new Random(2);
    Tensor q = t(randn(rng, TQ * D), 1, 1, TQ, D), k = t(randn(rng, TK * D), 1, 1, TK, D), v = t(randn(rng, TK * D), 1, 1, TK, D);
    Tensor out = Attention.attention(q, k, v, Tensor.ofInts(REF, new int[] {0, 0, 0, 0}, 1, TK), false);
    assertArrayEquals(new double[TQ * D], out.toDoubleArray(), 0.0);
    out.backward(Tensor.of(REF, DType.F64, randn(rng, TQ * D), 1, 1, TQ, D));
    for (Tensor g : new Tensor[] {q.grad(), k.grad(), v.grad()})
      for (double x : g.toDoubleArray()) assertEquals(0.0, x, 0.0);
  }
}
