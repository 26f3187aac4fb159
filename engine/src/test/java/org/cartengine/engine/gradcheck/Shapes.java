package org.cartengine.engine.gradcheck;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ArbitrarySupplier;
import net.jqwik.api.Combinators;

/** Shape generators for the gradient-check properties: small, so every check takes milliseconds. */
public final class Shapes {
  private Shapes() {}

  /** Shapes of rank minRank..maxRank with every dimension in 1..maxDim. */
  public static Arbitrary<int[]> shape(int minRank, int maxRank, int maxDim) {
    return Arbitraries.integers().between(1, maxDim).array(int[].class).ofMinSize(minRank).ofMaxSize(maxRank);
  }

  /**
   * A shape that broadcasts to out under NumPy's rules: some leading axes dropped, some of the
   * remaining axes set to 1.
   */
  public static Arbitrary<int[]> broadcastingTo(int[] out) {
    return Combinators.combine(Arbitraries.integers().between(0, out.length), Arbitraries.integers().between(0, (1 << out.length) - 1))
        .as((drop, ones) -> {
          int[] s = new int[out.length - drop];
          for (int i = 0; i < s.length; i++) s[i] = (ones >> i & 1) == 1 ? 1 : out[i + drop];
          return s;
        });
  }

  /** Two shapes that broadcast together (rank 0..4, dims 1..3). */
  public static final class BroadcastPairs implements ArbitrarySupplier<int[][]> {
    @Override
    public Arbitrary<int[][]> get() {
      return shape(0, 4, 3).flatMap(out -> Combinators.combine(broadcastingTo(out), broadcastingTo(out)).as((a, b) -> new int[][] {a, b}));
    }
  }

  /** Rank 1..4, dims 1..4. */
  public static final class Small implements ArbitrarySupplier<int[]> {
    @Override
    public Arbitrary<int[]> get() {
      return shape(1, 4, 4);
    }
  }

  /** Rank 0..4 (scalars included), dims 1..3. */
  public static final class SmallOrScalar implements ArbitrarySupplier<int[]> {
    @Override
    public Arbitrary<int[]> get() {
      return shape(0, 4, 3);
    }
  }
}
