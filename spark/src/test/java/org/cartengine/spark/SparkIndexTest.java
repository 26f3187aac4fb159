package org.cartengine.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.cartengine.cart.ids.IdentifierBuilder;
import org.cartengine.cart.ids.IndexResult;
import org.cartengine.cart.ids.IndexStats;
import org.cartengine.cart.ids.IndexStore;
import org.cartengine.cart.ids.PrefixDatabase;
import org.cartengine.cart.ids.SyntheticCorpus;
import org.cartengine.engine.backend.Backends;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Identifiers from Spark against the single-machine path on 50K synthetic items. */
class SparkIndexTest {
  static final int N = 50_000, DIM = 64;
  static final long SEED = 7;
  static SparkSession spark;
  static float[] x;
  static List<String> ids;

  @BeforeAll
  static void corpus() {
    spark = SharedSpark.get();
    x = SyntheticCorpus.generate(SyntheticCorpus.Spec.of(N, DIM, SEED));
    ids = new ArrayList<>();
    for (int i = 0; i < N; i++) ids.add("syn" + SEED + "-" + i);
  }

  @Test
  void parquetWithTheModelsOfCartIndexGivesItsIdentifiersAndStatistics(@TempDir Path tmp) throws Exception {
    // cart index on one machine: fit and assign all 50K items.
    IndexResult local = IdentifierBuilder.build(x, N, DIM, ids, Fixtures.smallConfig(), null, Backends.get());
    IndexStore.save(tmp.resolve("local"), local);
    assertTrue(local.stats().maxU() > 0, "the corpus must have prefix collisions for u to be tested");

    Path pq = Fixtures.parquet(spark, tmp.resolve("corpus.parquet"), ids, Fixtures.rows(x, N, DIM), 3);
    SparkIndex job = Fixtures.index(List.of("--input", pq.toString(), "--models", tmp.resolve("local").toString(), "--out", tmp.resolve("spark").toString()));
    SparkIndex.Result r = job.run(spark, System.out);
    assertEquals(N, r.items());
    assertEquals(0, r.badRows() + r.duplicateIds());

    // The cart index directory Spark wrote: same ids in the same order, same tokens (u included).
    IndexResult fromSpark = IndexStore.load(tmp.resolve("spark"));
    assertEquals(local.itemIds(), fromSpark.itemIds());
    assertArrayEquals(local.identifiers().all(), fromSpark.identifiers().all());
    assertArrayEquals(local.identifiers().vocabSizes(), fromSpark.identifiers().vocabSizes());

    // The Parquet table itself, in corpus order.
    List<Row> table = spark.read().parquet(tmp.resolve("spark/identifiers.parquet").toString()).orderBy("ord").collectAsList();
    assertEquals(N, table.size());
    int len = local.identifiers().length();
    for (int i = 0; i < N; i++) {
      Row row = table.get(i);
      assertEquals(ids.get(i), row.getString(0));
      for (int p = 0; p < len; p++) assertEquals(local.identifiers().token(i, p), row.getInt(2 + p), "item " + i + " position " + p);
    }

    // Statistics: Spark's aggregates equal cart index's.
    IndexStats a = local.stats(), b = r.stats();
    assertEquals(a.items(), b.items());
    assertEquals(a.collisionRate(), b.collisionRate());
    assertEquals(a.maxU(), b.maxU());
    assertArrayEquals(a.vocab(), b.vocab());
    assertEquals(a.levels(), b.levels());
    assertEquals(a.trieNodes(), b.trieNodes());
    assertEquals(a.reconError(), b.reconError());
  }

  @Test
  void modelsFittedOnTheDriverAssignAsOnOneMachine(@TempDir Path tmp) throws Exception {
    List<String> args = new ArrayList<>(List.of("--synthetic", String.valueOf(N), "--dim", String.valueOf(DIM), "--fit-sample", "8192",
        "--partitions", "5", "--out", tmp.resolve("spark").toString()));
    args.addAll(Fixtures.smallOptions());
    SparkIndex.Result r = Fixtures.index(args).run(spark, System.out);
    assertEquals(N, r.items());
    assertTrue(r.stats().reconRows() <= 8192, "the RQ-VAE trains on the fit sample");

    // Single machine, same model: assign every item, then the prefix database's search and count.
    IndexResult saved = IndexStore.load(tmp.resolve("spark"));
    int len = saved.identifiers().length();
    int[] semantic = saved.model().assign(x, N, 0);
    int[] expected = new PrefixDatabase(len - 1).appendUnique(semantic, N);
    assertTrue(saved.stats().maxU() > 0);
    assertArrayEquals(expected, saved.identifiers().all());
    assertEquals(ids, saved.itemIds());
  }

  @Test
  void datasetDirectoryGivesTheIdentifiersOfCartIndex(@TempDir Path tmp) throws Exception {
    // The embedded emoji dataset (1,911 x 1280), read by every task through the dataset reader.
    org.cartengine.cart.data.Dataset ds = org.cartengine.cart.data.Dataset.open("emoji");
    IndexResult local = IdentifierBuilder.build(ds.embeddings().toArray(), ds.size(), ds.dim(), ds.ids(), Fixtures.smallConfig(), null, Backends.get());
    IndexStore.save(tmp.resolve("local"), local);
    SparkIndex.Result r = Fixtures.index(List.of("--input", "emoji", "--models", tmp.resolve("local").toString(), "--partitions", "3",
        "--out", tmp.resolve("spark").toString())).run(spark, System.out);
    assertEquals(ds.size(), r.items());
    IndexResult fromSpark = IndexStore.load(tmp.resolve("spark"));
    assertEquals(local.itemIds(), fromSpark.itemIds());
    assertArrayEquals(local.identifiers().all(), fromSpark.identifiers().all());
    assertEquals(local.stats().levels(), r.stats().levels());
  }
}
