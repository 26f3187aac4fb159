package org.cartengine.cart.serve;

import java.io.IOException;
import java.util.ArrayList;
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

  public double weight() {
    return reranker.weight();
  }

  @Override
  public List<Searcher.Result> rerank(String query, List<Searcher.Result> candidates) {
    List<BeamSearch.Hit> hits = new ArrayList<>(candidates.size());
    for (Searcher.Result c : candidates) hits.add(new BeamSearch.Hit(c.item().index(), c.score()));
    List<BeamSearch.Hit> ranked = reranker.rerank(List.of(query), List.of(run.tokenizer().encode(query)), List.of(hits), hits.size()).get(0);
    List<Searcher.Result> out = new ArrayList<>(ranked.size());
    for (BeamSearch.Hit h : ranked) {
      Searcher.Item item = null;
      for (Searcher.Result c : candidates) if (c.item().index() == h.item()) item = c.item();
      out.add(new Searcher.Result(out.size() + 1, item, h.score()));
    }
    return out;
  }
}
