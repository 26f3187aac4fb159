package org.cartengine.engine.gradcheck;

import static org.cartengine.engine.gradcheck.GradCheck.input;
import static org.cartengine.engine.gradcheck.Values.normal;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.ops.Attention;

/**
 * For any batch, heads, query and key lengths and head width, with and without a causal mask and a
 * key-padding mask: the fused attention op's own backward matches finite differences for q, k and v.
 */
class GradCheckAttentionTest {

  @Property(tries = 40)
  void qkvGradients(@ForAll @IntRange(min = 1, max = 2) int b, @ForAll @IntRange(min = 1, max = 2) int h, @ForAll @IntRange(min = 1, max = 4) int tq,
      @ForAll @IntRange(min = 1, max = 4) int tk, @ForAll @IntRange(min = 1, max = 4) int d, @ForAll boolean causal, @ForAll boolean padded,
      @ForAll long seed) {
    Random rng = new Random(seed);
    Tensor pad = null;
    if (padded) {
      // Some keys padded; a row may lose every key (it then outputs zeros, with zero gradient).
      int[] m = new int[b * tk];
      for (int i = 0; i < m.length; i++) m[i] = rng.nextInt(3) == 0 ? 0 : 1;
      pad = Tensor.ofInts(GradCheck.REF, m, b, tk);
    }
    Tensor keyPadding = pad;
    GradCheck.check("attention causal=" + causal + " padded=" + padded, seed, in -> Attention.attention(in[0], in[1], in[2], keyPadding, causal),
        input(normal(rng, b * h * tq * d), b, h, tq, d), input(normal(rng, b * h * tk * d), b, h, tk, d), input(normal(rng, b * h * tk * d), b, h, tk, d));
  }

  @Property(tries = 20)
  void selfAttentionOnPermutedHeads(@ForAll @IntRange(min = 1, max = 2) int b, @ForAll @IntRange(min = 1, max = 4) int t, @ForAll boolean causal,
      @ForAll long seed) {
    Random rng = new Random(seed);
    int h = 2, d = 2;
    // One leaf [B, T, H, D] used as q, k and v through a permuted (non-contiguous) view: three
    // gradient contributions into one tensor.
    GradCheck.check("self-attention x.permute(0, 2, 1, 3)", seed, in -> {
      Tensor x = in[0].permute(0, 2, 1, 3);
      return Attention.attention(x, x, x, null, causal);
    }, input(normal(rng, b * t * h * d), b, t, h, d));
  }
}
