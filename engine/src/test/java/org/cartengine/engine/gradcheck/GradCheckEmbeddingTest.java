package org.cartengine.engine.gradcheck;

import static org.cartengine.engine.gradcheck.GradCheck.input;
import static org.cartengine.engine.gradcheck.Values.normal;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.ops.Embedding;

/** For any table and indices, repeated ones included, the lookup's scatter-add backward matches finite differences. */
class GradCheckEmbeddingTest {

  @Property(tries = 40)
  void tableGradientWithRepeatedIndices(@ForAll @IntRange(min = 1, max = 4) int vocab, @ForAll @IntRange(min = 1, max = 4) int dim,
      @ForAll @IntRange(min = 1, max = 3) int b, @ForAll @IntRange(min = 0, max = 4) int t, @ForAll long seed) {
    Random rng = new Random(seed);
    int[] idxShape = t == 0 ? new int[] {b} : new int[] {b, t};
    // More lookups than rows in most samples, so indices repeat and their gradients must add up.
    int[] idx = new int[Values.numel(idxShape)];
    for (int i = 0; i < idx.length; i++) idx[i] = rng.nextInt(vocab);
    Tensor ids = Tensor.ofInts(GradCheck.REF, idx, idxShape);
    GradCheck.check("embedding " + Arrays.toString(idx), seed, in -> Embedding.lookup(in[0], ids), input(normal(rng, vocab * dim), vocab, dim));
  }

  @Property(tries = 20)
  void lookupInATransposedTable(@ForAll @IntRange(min = 1, max = 4) int vocab, @ForAll @IntRange(min = 1, max = 4) int dim, @ForAll long seed) {
    Random rng = new Random(seed);
    // Weight tying: the output projection's [dim, vocab] matrix read as an embedding table via t().
    int[] idx = {rng.nextInt(vocab), rng.nextInt(vocab), rng.nextInt(vocab)};
    Tensor ids = Tensor.ofInts(GradCheck.REF, idx, 3);
    GradCheck.check("embedding of w.t()", seed, in -> Embedding.lookup(in[0].t(), ids), input(normal(rng, vocab * dim), dim, vocab));
  }
}
