package org.cartengine.cart.serve;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import org.cartengine.cart.run.RerankConfig;
import org.cartengine.cart.run.TrainedRun;
import org.cartengine.cart.search.BeamSearch;
import org.cartengine.cart.search.Reranker;
import org.cartengine.engine.backend.Backend;

/** The run's embedding {@link Reranker} (chosen in rerank.json, {@link RerankConfig}) as the searcher's re-rank step; runs on the batching thread. */
public final class EmbeddingReranker implements Searcher.ResultReranker {
  private final Reranker reranker;
  private final TrainedRun run;

  private EmbeddingReranker(Reranker reranker, TrainedRun run) {
    this.reranker = reranker;
    this.run = run;
  }

  /** The run's re-rank, or null when it was trained without a text tower. */
  public static EmbeddingReranker of(TrainedRun run, Backend be) throws IOException {
    Reranker r = RerankConfig.load(run.run(), run.model(), run.dataset(), run.identifiers().trie(), be);
    return r == null ? null : new EmbeddingReranker(r, run);
  }

  /** The beam width to search with: at least {@code beam}, and the width the re-rank weight was chosen at. */
  public int beam(int beam) {
    return reranker.beam(beam);
  }

  @Override
  public org.cartengine.cart.search.BeamPrior prior(List<String> queries) {
    return reranker.priorFor(queries);
  }

  @Override
  public String scoreName() {
    return String.format(java.util.Locale.ROOT, "re-rank: %.2f log p + %.2f cos/T", 1 - reranker.weight(), reranker.weight());
  }

  public double weight() {
    return reranker.weight();
  }

  @Override
  public List<Searcher.Result> rerank(String query, List<Searcher.Result> candidates) {
    return rerank(List.of(query), List.of(run.tokenizer().encode(query)), List.of(candidates)).get(0);
  }

  /** The whole batch through the text tower at once, the queries' tokens reused from the beam search. */
  @Override
  public List<List<Searcher.Result>> rerank(List<String> queries, List<int[]> tokens, List<List<Searcher.Result>> candidates) {
    List<List<BeamSearch.Hit>> hits = new ArrayList<>(candidates.size());
    int k = 0;
    for (List<Searcher.Result> cs : candidates) {
      List<BeamSearch.Hit> h = new ArrayList<>(cs.size());
      for (Searcher.Result c : cs) h.add(new BeamSearch.Hit(c.item().index(), c.score()));
      hits.add(h);
      k = Math.max(k, cs.size());
    }
    List<List<BeamSearch.Hit>> ranked = reranker.rerank(queries, tokens, hits, k);
    List<List<Searcher.Result>> out = new ArrayList<>(candidates.size());
    for (int q = 0; q < candidates.size(); q++) {
      Map<Integer, Searcher.Item> byIndex = new HashMap<>();
      for (Searcher.Result c : candidates.get(q)) byIndex.put(c.item().index(), c.item());
      List<Searcher.Result> rs = new ArrayList<>(ranked.get(q).size());
      for (BeamSearch.Hit h : ranked.get(q)) rs.add(new Searcher.Result(rs.size() + 1, byIndex.get(h.item()), h.score()));
      out.add(rs);
    }
    return out;
  }
}
