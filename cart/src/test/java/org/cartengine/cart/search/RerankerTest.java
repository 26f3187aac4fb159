package org.cartengine.cart.search;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class RerankerTest {
  private static List<List<BeamSearch.Hit>> hits(double... logp) {
    List<BeamSearch.Hit> h = new ArrayList<>();
    for (int i = 0; i < logp.length; i++) h.add(new BeamSearch.Hit(100 + i, logp[i]));
    return List.of(h);
  }

  @Test
  void weightZeroKeepsTheBeamOrderAndWeightOneOrdersByTheTower() {
    List<List<BeamSearch.Hit>> h = hits(-0.1, -1.0, -2.0);
    double[][] tower = {{1.0, 5.0, 3.0}};
    assertEquals(List.of(100, 101, 102), items(Reranker.combine(h, tower, 0, 3)));
    assertEquals(List.of(101, 102, 100), items(Reranker.combine(h, tower, 1, 3)));
    // 0.5 * logp + 0.5 * tower: 0.45, 2.0, 0.5
    assertEquals(List.of(101, 102), items(Reranker.combine(h, tower, 0.5, 2)));
  }

  @Test
  void theWeightIsChosenByValRecall() {
    // The relevant item (101) is second by log p and first by the tower: any weight that lifts it wins.
    List<List<BeamSearch.Hit>> h = hits(-0.1, -0.2, -3.0);
    double[][] tower = {{0.0, 4.0, 1.0}};
    Reranker.Choice c = Reranker.choose(h, tower, List.of(Set.of(101)));
    assertEquals(100.0, c.metrics().r1());
    assertEquals(0.1, c.weight(), 1e-12, "the smallest weight that ranks it first");
  }

  /** Re-ranking only permutes the beam's candidates: the top-k is always a subset of them, of size min(k, beam). */
  @Property(tries = 200)
  void reRankingPermutesCandidates(@ForAll @IntRange(min = 1, max = 12) int m, @ForAll @IntRange(min = 1, max = 12) int k,
      @ForAll @DoubleRange(min = 0, max = 1) double w, @ForAll long seed) {
    java.util.Random r = new java.util.Random(seed);
    double[] lp = new double[m];
    double[][] tower = new double[1][m];
    for (int i = 0; i < m; i++) {
      lp[i] = -5 * r.nextDouble();
      tower[0][i] = 20 * r.nextDouble();
    }
    List<Integer> out = items(Reranker.combine(hits(lp), tower, w, k));
    assertEquals(Math.min(k, m), out.size());
    assertEquals(out.size(), Set.copyOf(out).size());
    for (int it : out) assertEquals(true, it >= 100 && it < 100 + m);
  }

  private static List<Integer> items(List<List<BeamSearch.Hit>> h) {
    return h.get(0).stream().map(BeamSearch.Hit::item).toList();
  }
}
