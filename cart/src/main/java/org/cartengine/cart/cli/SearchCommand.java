package org.cartengine.cart.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.ids.Identifiers;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.report.Table;
import org.cartengine.cart.search.BeamSearch;
import org.cartengine.cart.search.QueryBatch;
import org.cartengine.cart.text.QueryTokenizer;
import org.cartengine.cart.run.TrainedRun;
import org.cartengine.engine.backend.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "search", mixinStandardHelpOptions = true, description = "Retrieve the top-k items for a text query by generating their identifiers.")
public final class SearchCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", description = "Query text (several arguments are separate queries).")
  List<String> queries;

  @Option(names = "--run", description = "Run directory of `cart train` (default: ${DEFAULT-VALUE}).")
  Path runDir = Path.of("runs", Main.DEFAULT_DATASET);

  @Option(names = {"-k", "--top"}, description = "Results per query (default: ${DEFAULT-VALUE}).")
  int k = 5;

  @Option(names = "--beam", description = "Beam width, at least k (default: ${DEFAULT-VALUE}).")
  int beam = 10;

  @Option(names = "--rerank", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Re-rank the beam's candidates with the run's text tower (rerank.json) and the weight chosen on val "
          + "(default: on when the run has one; --no-rerank for CART's own order).")
  boolean rerank;

  @Mixin DeviceOption device = new DeviceOption();

  @Override
  public Integer call() throws Exception {
    if (k > beam) beam = k;
    Backend be = device.backend();
    TrainedRun tr = TrainedRun.load(runDir, be);
    Dataset ds = tr.dataset();
    CartModel model = tr.model();
    QueryTokenizer tok = tr.tokenizer();
    Identifiers ids = tr.identifiers();
    List<int[]> enc = queries.stream().map(tok::encode).toList();
    long t0 = System.nanoTime();
    org.cartengine.cart.search.Reranker reranker = rerank ? org.cartengine.cart.run.RerankConfig.load(tr.run(), model, ds, ids.trie(), be) : null;
    boolean rr = reranker != null;
    if (rr) beam = reranker.beam(beam);
    List<List<BeamSearch.Hit>> hits = BeamSearch.search(model, QueryBatch.of(be, enc, model.cfg.maxQueryLength()), ids.trie(), beam, rr ? beam : k,
        org.cartengine.cart.search.BeamScoring.DEFAULT, rr ? reranker.priorFor(queries) : null);
    if (rr) hits = reranker.rerank(queries, enc, hits, k);
    double secs = (System.nanoTime() - t0) / 1e9;
    for (int i = 0; i < queries.size(); i++) {
      System.out.println("query: " + queries.get(i));
      Table t = new Table("rank", "item", "label", "identifier", rr ? "score" : "log p");
      int rank = 1;
      for (BeamSearch.Hit h : hits.get(i)) t.row(rank++, ds.id(h.item()), ds.label(h.item()), java.util.Arrays.toString(ids.tokens(h.item())), String.format("%.3f", h.score()));
      System.out.println(t);
    }
    System.out.printf("%d queries in %.3f s (%.1f queries/s, beam %d)%n", queries.size(), secs, queries.size() / secs, beam);
    return 0;
  }
}
