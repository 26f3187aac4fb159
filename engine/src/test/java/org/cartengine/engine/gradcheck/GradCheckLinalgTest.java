package org.cartengine.engine.gradcheck;

import static org.cartengine.engine.gradcheck.GradCheck.input;
import static org.cartengine.engine.gradcheck.Values.normal;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.ops.Linalg;

/**
 * For any shapes and values, matmul's backward matches finite differences, including operands the
 * GEMM reads transposed in place ({@code w.t()}, {@code transpose(-2, -1)}).
 */
class GradCheckLinalgTest {

  /** A stored [r, c] matrix, or a stored [c, r] one viewed back as [r, c] without a copy. */
  private static int[] stored(boolean transposed, int... rc) {
    int n = rc.length;
    int[] s = rc.clone();
    if (transposed) {
      s[n - 2] = rc[n - 1];
      s[n - 1] = rc[n - 2];
    }
    return s;
  }

  private static Tensor viewed(Tensor t, boolean transposed) {
    return transposed ? t.transpose(-2, -1) : t;
  }

  @Property(tries = 40)
  void matmul2d(@ForAll @IntRange(min = 1, max = 5) int m, @ForAll @IntRange(min = 1, max = 5) int k, @ForAll @IntRange(min = 1, max = 5) int n,
      @ForAll boolean transA, @ForAll boolean transB, @ForAll long seed) {
    Random rng = new Random(seed);
    GradCheck.check("matmul", seed, in -> Linalg.matmul(transA ? in[0].t() : in[0], transB ? in[1].t() : in[1]),
        input(normal(rng, m * k), stored(transA, m, k)), input(normal(rng, k * n), stored(transB, k, n)));
  }

  @Property(tries = 40)
  void batchedMatmul(@ForAll @IntRange(min = 1, max = 2) int b1, @ForAll @IntRange(min = 0, max = 2) int b2, @ForAll @IntRange(min = 1, max = 4) int m,
      @ForAll @IntRange(min = 1, max = 4) int k, @ForAll @IntRange(min = 1, max = 4) int n, @ForAll boolean transA, @ForAll boolean transB, @ForAll long seed) {
    Random rng = new Random(seed);
    // b2 = 0: rank 3 [b1, .., ..]; otherwise rank 4 [b1, b2, .., ..] as attention's [B, H, T, D].
    int[] a = b2 == 0 ? new int[] {b1, m, k} : new int[] {b1, b2, m, k};
    int[] b = b2 == 0 ? new int[] {b1, k, n} : new int[] {b1, b2, k, n};
    GradCheck.check("batched matmul", seed, in -> Linalg.matmul(viewed(in[0], transA), viewed(in[1], transB)),
        input(normal(rng, Values.numel(a)), stored(transA, a)), input(normal(rng, Values.numel(b)), stored(transB, b)));
  }

  @Property(tries = 40)
  void rank3TimesRank2(@ForAll @IntRange(min = 1, max = 3) int batch, @ForAll @IntRange(min = 1, max = 4) int m, @ForAll @IntRange(min = 1, max = 4) int k,
      @ForAll @IntRange(min = 1, max = 4) int n, @ForAll boolean transA, @ForAll boolean transB, @ForAll long seed) {
    Random rng = new Random(seed);
    // Weights shared over the batch; a transposed activation is not a plain GEMM operand and is copied.
    int[] a = stored(transA, batch, m, k);
    GradCheck.check("matmul [B,m,k]@[k,n]", seed, in -> Linalg.matmul(viewed(in[0], transA), transB ? in[1].t() : in[1]),
        input(normal(rng, batch * m * k), a), input(normal(rng, k * n), stored(transB, k, n)));
  }

  @Property(tries = 30)
  void linear(@ForAll @IntRange(min = 1, max = 3) int batch, @ForAll @IntRange(min = 1, max = 3) int t, @ForAll @IntRange(min = 1, max = 4) int in,
      @ForAll @IntRange(min = 1, max = 4) int out, @ForAll boolean bias, @ForAll long seed) {
    Random rng = new Random(seed);
    if (bias) {
      GradCheck.check("linear", seed, x -> Linalg.linear(x[0], x[1], x[2]),
          input(normal(rng, batch * t * in), batch, t, in), input(normal(rng, out * in), out, in), input(normal(rng, out), out));
    } else {
      GradCheck.check("linear (no bias)", seed, x -> Linalg.linear(x[0], x[1], null),
          input(normal(rng, batch * t * in), batch, t, in), input(normal(rng, out * in), out, in));
    }
  }

  @Property(tries = 30)
  void gramMatrixUsesOneInputTwice(@ForAll @IntRange(min = 1, max = 5) int m, @ForAll @IntRange(min = 1, max = 5) int k, @ForAll long seed) {
    // x^T x: both operands are views of one leaf, so its gradient is the sum of two contributions.
    GradCheck.check("matmul x^T x", seed, in -> Linalg.matmul(in[0].t(), in[0]), input(normal(new Random(seed), m * k), m, k));
  }

  @Property(tries = 30)
  void slicedOperands(@ForAll @IntRange(min = 2, max = 5) int m, @ForAll @IntRange(min = 2, max = 5) int k, @ForAll @IntRange(min = 1, max = 4) int n,
      @ForAll long seed) {
    Random rng = new Random(seed);
    // Row slices start at an offset into the buffer; column slices have a leading dimension != cols.
    GradCheck.check("matmul of slices", seed, in -> Linalg.matmul(in[0].slice(0, 1, m).slice(1, 0, k - 1), in[1].slice(0, 1, k)),
        input(normal(rng, m * k), m, k), input(normal(rng, k * n), k, n));
  }
}
