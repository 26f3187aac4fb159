package org.cartengine.engine.gradcheck;

import static org.cartengine.engine.gradcheck.GradCheck.input;
import static org.cartengine.engine.gradcheck.Values.normal;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.ops.Attention;
import org.cartengine.engine.ops.Elementwise;
import org.cartengine.engine.ops.LayerNorm;
import org.cartengine.engine.ops.Linalg;
import org.cartengine.engine.ops.Softmax;

/**
 * Whole graphs as the models build them: fan-out, views between ops, several losses. Each op is
 * right on its own (the other GradCheck* suites); this checks that autograd wires them together.
 */
class GradCheckCompositeTest {

  private static double[] scaled(double[] v, double s) {
    for (int i = 0; i < v.length; i++) v[i] *= s;
    return v;
  }

  /** Pre-norm Transformer block: x + W_o attn(split_heads(LN(x) W_q), .., ..), then a gated residual MLP and a mean. */
  @Property(tries = 15)
  void transformerBlock(@ForAll @IntRange(min = 1, max = 2) int b, @ForAll @IntRange(min = 1, max = 3) int t, @ForAll boolean causal, @ForAll long seed) {
    Random rng = new Random(seed);
    int c = 4, h = 2, d = c / h;
    GradCheck.check("transformer block", seed, in -> {
      Tensor x = in[0], wq = in[1], wk = in[2], wv = in[3], wo = in[4], gamma = in[5], beta = in[6], wg = in[7];
      Tensor n = LayerNorm.layerNorm(x, gamma, beta, 1e-5);
      Tensor q = heads(Linalg.linear(n, wq, null), b, t, h, d);
      Tensor k = heads(Linalg.linear(n, wk, null), b, t, h, d);
      Tensor v = heads(Linalg.linear(n, wv, null), b, t, h, d);
      Tensor a = Attention.attention(q, k, v, null, causal).permute(0, 2, 1, 3).reshape(b, t, c);
      Tensor r = Elementwise.add(x, Linalg.linear(a, wo, null));
      Tensor gated = Elementwise.sigmoidGate(Linalg.linear(r, wg, null), Elementwise.gelu(r));
      return Elementwise.add(r, gated).mean();
    }, input(normal(rng, b * t * c), b, t, c), input(scaled(normal(rng, c * c), 0.5), c, c), input(scaled(normal(rng, c * c), 0.5), c, c),
        input(scaled(normal(rng, c * c), 0.5), c, c), input(scaled(normal(rng, c * c), 0.5), c, c), input(normal(rng, c), c), input(normal(rng, c), c),
        input(scaled(normal(rng, c * c), 0.5), c, c));
  }

  private static Tensor heads(Tensor x, int b, int t, int h, int d) {
    return x.reshape(b, t, h, d).permute(0, 2, 1, 3);
  }

  /** Classifier with R-Drop: two dropout passes, cross-entropy on both plus the symmetric KL between them (CART eq. 7). */
  @Property(tries = 20)
  void mlpWithRDrop(@ForAll @IntRange(min = 1, max = 4) int rows, @ForAll @IntRange(min = 2, max = 4) int classes, @ForAll long seed) {
    Random rng = new Random(seed);
    int din = 3, hidden = 4;
    int[] targets = new int[rows];
    for (int i = 0; i < rows; i++) targets[i] = rng.nextInt(classes);
    Tensor tt = Tensor.ofInts(GradCheck.REF, targets, rows);
    GradCheck.check("mlp + R-Drop", seed, in -> {
      Tensor l1 = logits(in, 11), l2 = logits(in, 22);
      Tensor ce = Elementwise.add(Softmax.crossEntropy(l1, tt, -100, 0.1), Softmax.crossEntropy(l2, tt, -100, 0.1));
      Tensor lp1 = Softmax.logSoftmax(l1), lp2 = Softmax.logSoftmax(l2);
      Tensor kl = Elementwise.add(Softmax.klDiv(lp1, lp2), Softmax.klDiv(lp2, lp1));
      return Elementwise.add(ce, Elementwise.mulScalar(kl, 0.5));
    }, input(normal(rng, rows * din), rows, din), input(normal(rng, hidden * din), hidden, din), input(normal(rng, hidden), hidden),
        input(normal(rng, classes * hidden), classes, hidden));
  }

  private static Tensor logits(Tensor[] in, long dropoutSeed) {
    Tensor hdn = Elementwise.tanh(Linalg.linear(in[0], in[1], in[2]));
    return Linalg.linear(Elementwise.dropout(hdn, 0.3, dropoutSeed), in[3], null);
  }
}
