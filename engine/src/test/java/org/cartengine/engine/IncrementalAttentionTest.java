package org.cartengine.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.autograd.Autograd;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.reference.ReferenceBackend;
import org.cartengine.engine.nn.AttentionMemory;
import org.cartengine.engine.nn.KvCache;
import org.cartengine.engine.nn.Linear;
import org.cartengine.engine.nn.MultiHeadAttention;
import org.cartengine.engine.nn.Rng;
import org.cartengine.engine.ops.Affine;
import org.cartengine.engine.ops.Embedding;
import org.cartengine.engine.ops.Linalg;

/**
 * The engine's incremental inference pieces equal the full computation (float64, reference backend):
 * causal self-attention one position at a time through a reordered {@link KvCache}, cross-attention
 * of grouped rows over a once-projected {@link AttentionMemory}, and {@link Affine#linear}.
 */
class IncrementalAttentionTest {
  private static final Backend REF = new ReferenceBackend();

  private static Tensor randn(Random r, int... shape) {
    return Tensor.randn(REF, DType.F64, r, 1.0, shape);
  }

  @Property(tries = 30)
  void selfAttentionStepByStepEqualsCausalForward(@ForAll @IntRange(min = 1, max = 4) int heads, @ForAll @IntRange(min = 1, max = 5) int len,
      @ForAll @IntRange(min = 1, max = 4) int rows, @ForAll long seed) {
    Random r = new Random(seed);
    int d = heads * 3;
    MultiHeadAttention mha = new MultiHeadAttention(REF, DType.F64, new Rng(seed), "a", d, heads);
    // Each step keeps a random parent per row; the expected history of row i is its parent's history plus a new position.
    Tensor[] hist = new Tensor[rows];
    KvCache cache = new KvCache();
    try (Autograd.Scope s = Autograd.noGrad()) {
      for (int t = 0; t < len; t++) {
        int[] parent = new int[rows];
        for (int i = 0; i < rows; i++) parent[i] = r.nextInt(rows);
        if (t > 0) {
          cache.reorder(Tensor.ofInts(REF, parent, rows));
          Tensor[] next = new Tensor[rows];
          for (int i = 0; i < rows; i++) next[i] = hist[parent[i]];
          hist = next;
        }
        Tensor x = randn(r, rows, d);
        double[] got = mha.forwardStep(x, cache).toDoubleArray();
        for (int i = 0; i < rows; i++) {
          Tensor xi = x.slice(0, i, i + 1).reshape(1, 1, d);
          hist[i] = t == 0 ? xi : org.cartengine.engine.ops.Views.concat(java.util.List.of(hist[i], xi), 1);
          Tensor full = mha.forward(hist[i], hist[i], null, true); // [1, t+1, d]
          double[] want = full.slice(1, t, t + 1).reshape(d).toDoubleArray();
          assertArrayEquals(want, java.util.Arrays.copyOfRange(got, i * d, (i + 1) * d), 1e-10, "row " + i + " position " + t);
        }
      }
    }
  }

  @Property(tries = 30)
  void groupedRowsOverSharedMemoryEqualCopiedMemory(@ForAll @IntRange(min = 1, max = 3) int groups, @ForAll @IntRange(min = 1, max = 4) int slots,
      @ForAll @IntRange(min = 1, max = 5) int tk, @ForAll long seed) {
    Random r = new Random(seed);
    int heads = 2, d = 6;
    MultiHeadAttention mha = new MultiHeadAttention(REF, DType.F64, new Rng(seed), "c", d, heads);
    Tensor mem = randn(r, groups, tk, d);
    int[] pad = new int[groups * tk];
    for (int i = 0; i < pad.length; i++) pad[i] = i % tk == 0 || r.nextBoolean() ? 1 : 0;
    Tensor padding = Tensor.ofInts(REF, pad, groups, tk);
    Tensor x = randn(r, groups * slots, d);
    try (Autograd.Scope s = Autograd.noGrad()) {
      AttentionMemory m = mha.projectMemory(mem, padding);
      double[] got = mha.forwardMemory(x, m).toDoubleArray();
      // The full op with the memory copied for every row.
      int[] owner = new int[groups * slots];
      for (int i = 0; i < owner.length; i++) owner[i] = i / slots;
      Tensor idx = Tensor.ofInts(REF, owner, owner.length);
      Tensor memRows = Embedding.lookup(mem.reshape(groups, tk * d), idx).reshape(owner.length, tk, d);
      Tensor padRows = Embedding.lookup(Tensor.of(REF, DType.F64, java.util.Arrays.stream(pad).asDoubleStream().toArray(), groups, tk), idx);
      int[] padInts = new int[owner.length * tk];
      double[] pr = padRows.toDoubleArray();
      for (int i = 0; i < padInts.length; i++) padInts[i] = (int) pr[i];
      double[] want = mha.forward(x.reshape(owner.length, 1, d), memRows, Tensor.ofInts(REF, padInts, owner.length, tk), false).toDoubleArray();
      assertArrayEquals(want, got, 1e-10);
    }
  }

  @Property(tries = 30)
  void affineEqualsLinear(@ForAll @IntRange(min = 1, max = 7) int rows, @ForAll @IntRange(min = 1, max = 9) int in, @ForAll @IntRange(min = 1, max = 9) int out,
      @ForAll long seed) {
    Random r = new Random(seed);
    Linear lin = new Linear(REF, DType.F64, new Rng(seed), "l", in, out, true);
    Tensor b = randn(r, out);
    Tensor x = randn(r, 2, rows, in);
    try (Autograd.Scope s = Autograd.noGrad()) {
      assertArrayEquals(Linalg.linear(x, lin.weight, b).toDoubleArray(), Affine.linear(x, lin.weight, b).toDoubleArray(), 1e-12);
    }
  }
}
