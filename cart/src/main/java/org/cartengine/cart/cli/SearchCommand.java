package org.cartengine.cart.cli;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.ids.Identifiers;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.report.Table;
import org.cartengine.cart.search.BeamSearch;
import org.cartengine.cart.search.QueryBatch;
import org.cartengine.cart.text.BpeTokenizer;
import org.cartengine.cart.train.Indexing;
import org.cartengine.cart.train.RunDir;
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

  @Mixin DeviceOption device = new DeviceOption();

  @Override
  public Integer call() throws Exception {
    if (k > beam) beam = k;
    RunDir run = new RunDir(runDir);
    JsonObject r = run.readRun();
    Dataset ds = Dataset.open(r.get("data").getAsString());
    Backend be = device.backend();
    CartModel model = run.loadModel(be);
    BpeTokenizer tok = run.loadTokenizer();
    Identifiers ids = Indexing.load(run.index());
    List<int[]> enc = queries.stream().map(tok::encode).toList();
    long t0 = System.nanoTime();
    List<List<BeamSearch.Hit>> hits = BeamSearch.search(model, QueryBatch.of(be, enc, model.cfg.maxQueryLength()), ids.trie(), beam, k);
    double secs = (System.nanoTime() - t0) / 1e9;
    for (int i = 0; i < queries.size(); i++) {
      System.out.println("query: " + queries.get(i));
      Table t = new Table("rank", "item", "label", "identifier", "log p");
      int rank = 1;
      for (BeamSearch.Hit h : hits.get(i)) t.row(rank++, ds.id(h.item()), ds.label(h.item()), java.util.Arrays.toString(ids.tokens(h.item())), String.format("%.3f", h.score()));
      System.out.println(t);
    }
    System.out.printf("%d queries in %.3f s (%.1f queries/s, beam %d)%n", queries.size(), secs, queries.size() / secs, beam);
    return 0;
  }
}
