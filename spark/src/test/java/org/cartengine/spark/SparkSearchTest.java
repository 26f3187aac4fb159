package org.cartengine.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.cartengine.cart.ids.IdentifierBuilder;
import org.cartengine.cart.ids.IndexResult;
import org.cartengine.cart.ids.IndexStore;
import org.cartengine.cart.ids.SyntheticCorpus;
import org.cartengine.cart.model.CartConfig;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.search.BeamSearch;
import org.cartengine.cart.search.QueryBatch;
import org.cartengine.cart.text.BpeTokenizer;
import org.cartengine.cart.run.RunDir;
import org.cartengine.cart.train.TrainConfig;
import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;
import org.cartengine.engine.io.Safetensors;
import org.cartengine.engine.nn.Rng;
import picocli.CommandLine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batch search on Spark against one local beam search over the same queries, with a small random-weight run. */
class SparkSearchTest {
  static final String[] WORDS = {"red", "blue", "green", "cat", "dog", "bird", "runs", "sleeps", "on", "the", "mat", "tree", "happy", "small", "big", "face"};
  static SparkSession spark;
  @TempDir static Path shared;
  static RunDir run;
  static List<String> texts = new ArrayList<>();

  /** A run directory as cart train writes it: index/, tokenizer.json, run.json and best.safetensors (random weights). */
  @BeforeAll
  static void tinyRun() throws Exception {
    spark = SharedSpark.get();
    run = new RunDir(shared.resolve("run"));
    int n = 2000, dim = 32;
    float[] x = SyntheticCorpus.generate(SyntheticCorpus.Spec.of(n, dim, 11));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) ids.add("item-" + i);
    IndexResult idx = IdentifierBuilder.build(x, n, dim, ids, Fixtures.smallConfig(), null, Backends.get());
    IndexStore.save(run.index(), idx);
    Random r = new Random(5);
    for (int i = 0; i < 60; i++) {
      StringBuilder sb = new StringBuilder();
      for (int w = 0, len = 2 + r.nextInt(8); w < len; w++) sb.append(w == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
      texts.add(sb.toString());
    }
    BpeTokenizer tok = BpeTokenizer.train(texts, 64, 1);
    tok.save(run.tokenizer());
    CartConfig cfg = new CartConfig(tok.vocabSize(), idx.identifiers().vocabSizes(), 32, 2, 64, 1, 1, 0.0, 16, true);
    Backend be = Backends.get();
    CartModel m = new CartModel(be, DType.F32, new Rng(9), cfg);
    Safetensors.write(run.best(), m.parameters(), Map.of("config", cfg.toJson()));
    run.writeRun("synthetic", cfg, TrainConfig.defaults(), 9);
  }

  @Test
  void topKEqualsTheLocalSearch(@TempDir Path tmp) throws Exception {
    StringBuilder jsonl = new StringBuilder();
    for (int i = 0; i < texts.size(); i++) jsonl.append("{\"id\": \"q").append(i).append("\", \"text\": \"").append(texts.get(i)).append("\"}\n");
    Path queries = tmp.resolve("queries.jsonl");
    Files.writeString(queries, jsonl);
    int k = 5, beam = 8;
    SparkSearch job = CommandLine.populateCommand(new SparkSearch(), "--run", run.dir.toString(), "--queries", queries.toString(),
        "--out", tmp.resolve("hits.parquet").toString(), "-k", String.valueOf(k), "--beam", String.valueOf(beam), "--batch", "7");
    assertEquals(texts.size(), job.run(spark, System.out).queries());

    // The local searcher: the files cart search loads, all queries in one batch.
    Backend be = Backends.get();
    CartModel model = run.loadModel(be);
    org.cartengine.cart.text.QueryTokenizer tok = run.loadTokenizer();
    IndexResult idx = IndexStore.load(run.index());
    List<List<BeamSearch.Hit>> local = BeamSearch.search(model, QueryBatch.of(be, texts.stream().map(tok::encode).toList(), model.cfg.maxQueryLength()),
        idx.identifiers().trie(), beam, k);

    List<Row> rows = spark.read().parquet(tmp.resolve("hits.parquet").toString()).collectAsList();
    int total = 0;
    for (List<BeamSearch.Hit> h : local) total += h.size();
    assertEquals(total, rows.size());
    assertTrue(total >= texts.size(), "every query finds items");
    for (Row row : rows) {
      int q = Integer.parseInt(row.getString(0).substring(1)), rank = row.getInt(2);
      assertEquals(texts.get(q), row.getString(1));
      BeamSearch.Hit h = local.get(q).get(rank - 1);
      assertEquals(h.item(), row.getInt(3), "query " + q + " rank " + rank);
      assertEquals(idx.itemIds().get(h.item()), row.getString(4));
      // Batches of 7 pad queries differently from one batch of 60: scores agree to float rounding.
      assertEquals(h.score(), row.getDouble(5), 1e-4, "query " + q + " rank " + rank);
    }
  }

  @Test
  void queriesWithoutTheTextColumnAreRefused(@TempDir Path tmp) throws Exception {
    Path queries = tmp.resolve("q.jsonl");
    Files.writeString(queries, "{\"id\": \"a\", \"query\": \"red cat\"}\n");
    SparkSearch job = CommandLine.populateCommand(new SparkSearch(), "--run", run.dir.toString(), "--queries", queries.toString(), "--out", tmp.resolve("o").toString());
    BadInput e = assertThrows(BadInput.class, () -> job.run(spark, System.out));
    assertTrue(e.getMessage().contains("no column 'text'"), e.getMessage());
  }
}
