package org.cartengine.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.cartengine.cart.ids.IdentifierBuilder;
import org.cartengine.cart.ids.IndexResult;
import org.cartengine.cart.ids.IndexStore;
import org.cartengine.cart.ids.PrefixDatabase;
import org.cartengine.cart.ids.SyntheticCorpus;
import org.cartengine.engine.backend.Backends;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rows with a wrong embedding length, NaN or a repeated id: the job names the row, or skips and counts. */
class BadRowsTest {
  static final int N = 400, DIM = 16;
  static SparkSession spark;
  static float[] x;
  @TempDir static Path shared;
  static Path models;

  @BeforeAll
  static void setUp() throws Exception {
    spark = SharedSpark.get();
    x = SyntheticCorpus.generate(SyntheticCorpus.Spec.of(N, DIM, 3));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < N; i++) ids.add("item-" + i);
    IndexResult r = IdentifierBuilder.build(x, N, DIM, ids, Fixtures.smallConfig(), null, Backends.get());
    models = shared.resolve("models");
    IndexStore.save(models, r);
  }

  /** The corpus with the given rows spoiled: "short" drops the last value, "nan" puts a NaN in, "dup" takes row 5's id. */
  static Path corpus(Path dir, int shortRow, int nanRow, int dupRow) {
    List<String> ids = new ArrayList<>();
    List<float[]> rows = Fixtures.rows(x, N, DIM);
    for (int i = 0; i < N; i++) ids.add("item-" + i);
    if (shortRow >= 0) rows.set(shortRow, java.util.Arrays.copyOf(rows.get(shortRow), DIM - 1));
    if (nanRow >= 0) rows.get(nanRow)[3] = Float.NaN;
    if (dupRow >= 0) ids.set(dupRow, "item-5");
    return Fixtures.parquet(spark, dir, ids, rows, 2);
  }

  static SparkIndex job(Path in, Path out, boolean skip) {
    List<String> a = new ArrayList<>(List.of("--input", in.toString(), "--models", models.toString(), "--out", out.toString()));
    if (skip) a.add("--skip-bad-rows");
    return Fixtures.index(a);
  }

  @Test
  void wrongLengthFailsNamingTheRow(@TempDir Path tmp) {
    Path in = corpus(tmp.resolve("in"), 17, -1, -1);
    BadInput e = assertThrows(BadInput.class, () -> job(in, tmp.resolve("out"), false).run(spark, System.out));
    assertTrue(e.getMessage().contains("row 17 of ") && e.getMessage().contains("item-17") && e.getMessage().contains("15 values, expected 16"), e.getMessage());
  }

  @Test
  void nanFailsNamingTheRow(@TempDir Path tmp) {
    // Row 300 lies in the second file: named by that file and its row within it (300 - 200).
    Path in = corpus(tmp.resolve("in"), -1, 300, -1);
    BadInput e = assertThrows(BadInput.class, () -> job(in, tmp.resolve("out"), false).run(spark, System.out));
    assertTrue(e.getMessage().contains("row 100 of ") && e.getMessage().contains("part-00001") && e.getMessage().contains("item-300") && e.getMessage().contains("NaN"), e.getMessage());
  }

  @Test
  void repeatedIdFailsNamingBothRows(@TempDir Path tmp) {
    Path in = corpus(tmp.resolve("in"), -1, -1, 77);
    BadInput e = assertThrows(BadInput.class, () -> job(in, tmp.resolve("out"), false).run(spark, System.out));
    assertTrue(e.getMessage().contains("row 77 of ") && e.getMessage().contains("'item-5'") && e.getMessage().contains("repeats that of row 5 of"), e.getMessage());
  }

  @Test
  void skipLeavesThemOutAndCountsThem(@TempDir Path tmp) throws Exception {
    Path in = corpus(tmp.resolve("in"), 17, 300, 77);
    SparkIndex.Result r = job(in, tmp.resolve("out"), true).run(spark, System.out);
    assertEquals(2, r.badRows());
    assertEquals(1, r.duplicateIds());
    assertEquals(N - 3, r.items());
    List<Row> table = spark.read().parquet(tmp.resolve("out/identifiers.parquet").toString()).collectAsList();
    Set<String> ids = table.stream().map(t -> t.getString(0)).collect(Collectors.toSet());
    assertEquals(N - 3, table.size());
    assertFalse(ids.contains("item-17") || ids.contains("item-300"));
    assertTrue(ids.contains("item-5"), "the first row with a repeated id stays");
    // The kept rows' identifiers are those one machine gives the corpus without the skipped rows (u counted without them).
    IndexResult out = IndexStore.load(tmp.resolve("out"));
    IndexResult saved = IndexStore.load(models);
    List<Integer> kept = new ArrayList<>();
    for (int i = 0; i < N; i++) if (i != 17 && i != 300 && i != 77) kept.add(i);
    float[] xs = new float[kept.size() * DIM];
    for (int i = 0; i < kept.size(); i++) System.arraycopy(x, kept.get(i) * DIM, xs, i * DIM, DIM);
    int len = saved.identifiers().length();
    int[] expected = new PrefixDatabase(len - 1).appendUnique(saved.model().assign(xs, kept.size(), 0), kept.size());
    assertArrayEquals(expected, out.identifiers().all());
    assertEquals(kept.stream().map(i -> "item-" + i).toList(), out.itemIds());
  }

  @Test
  void missingColumnIsNamed(@TempDir Path tmp) {
    Path in = corpus(tmp.resolve("in"), -1, -1, -1);
    List<String> a = List.of("--input", in.toString(), "--models", models.toString(), "--out", tmp.resolve("out").toString(), "--embedding-column", "vec");
    BadInput e = assertThrows(BadInput.class, () -> Fixtures.index(a).run(spark, System.out));
    assertTrue(e.getMessage().contains("no column 'vec'"), e.getMessage());
  }
}
