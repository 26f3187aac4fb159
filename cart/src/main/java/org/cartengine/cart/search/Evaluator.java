package org.cartengine.cart.search;

import java.util.ArrayList;
import java.util.List;
import org.cartengine.cart.ids.PrefixTrie;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.data.PairSet;

/** Runs the constrained beam search over a query set and scores it (Recall@1/5/10, MRR@10). */
public final class Evaluator {
  private Evaluator() {}

  public record Ranked(List<int[]> items, double queriesPerSecond) {}

  public static Ranked rank(CartModel model, PrefixTrie trie, List<int[]> queries, int beam, int k, int batch) {
    List<int[]> out = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int s = 0; s < queries.size(); s += batch) {
      List<int[]> qs = queries.subList(s, Math.min(queries.size(), s + batch));
      QueryBatch q = QueryBatch.of(model.backend(), qs, model.cfg.maxQueryLength());
      for (List<BeamSearch.Hit> hits : BeamSearch.search(model, q, trie, beam, k)) out.add(hits.stream().mapToInt(BeamSearch.Hit::item).toArray());
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    return new Ranked(out, queries.size() / Math.max(1e-9, secs));
  }

  /** Every query's beam results (k = beam, best first) and the search throughput. */
  public record Searched(List<List<BeamSearch.Hit>> hits, double queriesPerSecond) {}

  public static Searched searchAll(CartModel model, PrefixTrie trie, List<int[]> queries, int beam, int batch) {
    return searchAll(model, trie, queries, beam, batch, BeamScoring.DEFAULT);
  }

  public static Searched searchAll(CartModel model, PrefixTrie trie, List<int[]> queries, int beam, int batch, BeamScoring scoring) {
    return searchAll(model, trie, null, queries, beam, batch, scoring, null, 0);
  }

  /** With the beam guided by {@code prior} at {@code weight} over the query texts (none when prior is null or weight 0). */
  public static Searched searchAll(CartModel model, PrefixTrie trie, List<String> texts, List<int[]> queries, int beam, int batch, BeamScoring scoring,
      CaptionPrior prior, double weight) {
    List<List<BeamSearch.Hit>> out = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int s = 0; s < queries.size(); s += batch) {
      int e = Math.min(queries.size(), s + batch);
      List<int[]> qs = queries.subList(s, e);
      BeamPrior p = prior == null ? null : prior.forQueries(texts.subList(s, e), weight);
      out.addAll(BeamSearch.search(model, QueryBatch.of(model.backend(), qs, model.cfg.maxQueryLength()), trie, beam, beam, scoring, p));
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    return new Searched(out, queries.size() / Math.max(1e-9, secs));
  }

  public static Metrics evaluate(CartModel model, PrefixTrie trie, PairSet set, int beam, int batch) {
    Ranked r = rank(model, trie, set.queries(), beam, Math.min(10, beam), batch);
    return Metrics.of(r.items(), set.relevant());
  }
}
