package org.cartengine.cart.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Embedding re-rank of the beam's candidates (beyond the paper; GENIUS, CVPR 2025, re-ranks generated
 * candidates with embeddings). Each candidate's score becomes
 *
 * <pre>  (1 - w) * log p(identifier | query) + w * cos(text tower(query), item embedding) / temperature</pre>
 *
 * where the text tower is the retriever's own alignment head ({@link AlignedTower}) or the dual tower
 * trained on the same pairs, and temperature its InfoNCE temperature, so both terms are on a
 * log-probability scale. Only the beam's candidates are scored,
 * so the cost stays independent of the corpus size. w = 0 is CART's own order; w = 1 orders the
 * candidates by the text tower alone.
 */
public final class Reranker {
  /** Weights tried on the val split; the best by R@1 (ties: MRR@10, then the smaller w) is kept. */
  public static final double[] WEIGHT_GRID = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};

  private final QueryTower tower;
  private final double weight;
  private final int beam;
  private CaptionPrior prior;
  private double priorWeight;

  /**
   * Beam width whose candidates are re-ranked by default: wider than the generative top 10, because the text tower can
   * only promote what the beam holds (on clipart-dev val, atomic ids: R@1 11.2 from a beam of 10, 15.0 from 50).
   */
  public static final int DEFAULT_BEAM = 50;

  public Reranker(QueryTower tower, double weight) {
    this(tower, weight, 0);
  }

  /** @param beam the beam width the weight was chosen at (0: the search's own) */
  public Reranker(QueryTower tower, double weight, int beam) {
    if (!(weight >= 0 && weight <= 1)) throw new IllegalArgumentException("re-rank weight " + weight + " must be in [0, 1]");
    this.tower = tower;
    this.weight = weight;
    this.beam = beam;
  }

  /** Guides the beam the candidates come from by {@code prior} at {@code weight} (chosen on val with the re-rank weight). */
  public Reranker withPrior(CaptionPrior prior, double weight) {
    this.prior = weight > 0 ? prior : null;
    this.priorWeight = weight;
    return this;
  }

  /** The beam's guide (null: none) and its weight. */
  public CaptionPrior prior() {
    return prior;
  }

  public double priorWeight() {
    return priorWeight;
  }

  /** The guide of a batch of query texts (null when there is none). */
  public BeamPrior priorFor(List<String> texts) {
    return prior == null ? null : prior.forQueries(texts, priorWeight);
  }

  /** The beam width to search with before re-ranking: at least {@code searchBeam}, and the width the weight was chosen at. */
  public int beam(int searchBeam) {
    return Math.max(searchBeam, beam);
  }

  public double weight() {
    return weight;
  }

  public QueryTower tower() {
    return tower;
  }

  /** The candidates' text-tower logits cos / temperature, aligned with {@code hits}. */
  public double[][] towerLogits(List<String> texts, List<int[]> queries, List<List<BeamSearch.Hit>> hits) {
    int[][] cand = new int[hits.size()][];
    for (int i = 0; i < hits.size(); i++) cand[i] = hits.get(i).stream().mapToInt(BeamSearch.Hit::item).toArray();
    double[][] cos = tower.candidateCosines(texts, queries, cand, 256);
    for (double[] row : cos) for (int j = 0; j < row.length; j++) row[j] /= tower.temperature();
    return cos;
  }

  /** The top-k of each query after re-ranking with this re-ranker's weight. */
  public List<List<BeamSearch.Hit>> rerank(List<String> texts, List<int[]> queries, List<List<BeamSearch.Hit>> hits, int k) {
    return combine(hits, towerLogits(texts, queries, hits), weight, k);
  }

  /** Re-ranked top-k for a given weight from precomputed tower logits (ties keep the beam order). */
  public static List<List<BeamSearch.Hit>> combine(List<List<BeamSearch.Hit>> hits, double[][] towerLogits, double w, int k) {
    List<List<BeamSearch.Hit>> out = new ArrayList<>(hits.size());
    for (int i = 0; i < hits.size(); i++) {
      List<BeamSearch.Hit> h = hits.get(i);
      int m = h.size();
      double[] score = new double[m];
      Integer[] order = new Integer[m];
      for (int j = 0; j < m; j++) {
        score[j] = (1 - w) * h.get(j).score() + w * towerLogits[i][j];
        order[j] = j;
      }
      Arrays.sort(order, (a, b) -> score[a] != score[b] ? Double.compare(score[b], score[a]) : Integer.compare(a, b));
      List<BeamSearch.Hit> r = new ArrayList<>(Math.min(k, m));
      for (int j = 0; j < Math.min(k, m); j++) r.add(new BeamSearch.Hit(h.get(order[j]).item(), score[order[j]]));
      out.add(r);
    }
    return out;
  }

  /** The re-rank weight of {@link #WEIGHT_GRID} with the best val R@1 (ties: MRR@10, then the smaller weight). */
  public static Choice choose(List<List<BeamSearch.Hit>> valHits, double[][] towerLogits, List<Set<Integer>> relevant) {
    Choice best = null;
    for (double w : WEIGHT_GRID) {
      Metrics m = Metrics.of(items(combine(valHits, towerLogits, w, 10)), relevant);
      if (best == null || m.r1() > best.metrics().r1() || (m.r1() == best.metrics().r1() && m.mrr10() > best.metrics().mrr10())) best = new Choice(w, m);
    }
    return best;
  }

  /** A chosen weight and the val metrics it gave. */
  public record Choice(double weight, Metrics metrics) {}

  public static List<int[]> items(List<List<BeamSearch.Hit>> hits) {
    List<int[]> out = new ArrayList<>(hits.size());
    for (List<BeamSearch.Hit> h : hits) out.add(h.stream().mapToInt(BeamSearch.Hit::item).toArray());
    return out;
  }
}
