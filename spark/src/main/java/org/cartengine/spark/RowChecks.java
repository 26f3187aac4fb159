package org.cartengine.spark;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.row_number;

import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * The checks a corpus passes before indexing: every row has an id and an embedding of the corpus's
 * dimension with finite values, and no id repeats an earlier row's. A failing row stops the job with a
 * message naming it, or, when told to skip, is left out and counted.
 */
public final class RowChecks {
  private RowChecks() {}

  /** What survived: the rows, how many, the dimension, and how many rows were left out for each reason. */
  public record Checked(Dataset<Row> rows, long items, int dim, long badRows, long duplicateIds) {
    public long skipped() {
      return badRows + duplicateIds;
    }
  }

  private static final String NON_FINITE = "exists(embedding, x -> coalesce(NOT (abs(x) < float('inf')), true))";

  /**
   * @param dim the dimension the model expects, or -1 to take the most common one
   * @param skip leave failing rows out (else throw {@link BadInput} naming the first one in corpus order)
   */
  public static Checked check(Corpus c, int dim, boolean skip) {
    Dataset<Row> rows = c.rows();
    if (c.trusted()) return new Checked(rows, c.items(), c.dim(), 0, 0);
    // One pass: how many rows of each length, with non-finite values, without id.
    List<Row> hist = rows.groupBy(expr("size(embedding)").as("len"), expr("coalesce(" + NON_FINITE + ", false)").as("bad"), expr("id IS NULL").as("noid"))
        .count().collectAsList();
    long total = 0;
    java.util.Map<Integer, Long> byLen = new java.util.HashMap<>();
    for (Row r : hist) {
      total += r.getLong(3);
      if (!r.isNullAt(0)) byLen.merge(r.getInt(0), r.getLong(3), Long::sum);
    }
    if (total == 0) throw new BadInput("the corpus has no rows");
    int d = dim;
    if (d < 0) d = byLen.entrySet().stream().max(java.util.Map.Entry.<Integer, Long>comparingByValue().thenComparing(e -> -e.getKey())).map(java.util.Map.Entry::getKey).orElse(-1);
    if (d < 1) throw new BadInput("no row has an embedding");
    long bad = 0;
    for (Row r : hist) if (r.isNullAt(0) || r.getInt(0) != d || r.getBoolean(1) || r.getBoolean(2)) bad += r.getLong(3);
    String problem = "CASE WHEN id IS NULL THEN 'the id is null' WHEN embedding IS NULL THEN 'the embedding is null' "
        + "WHEN size(embedding) <> " + d + " THEN concat('the embedding has ', size(embedding), ' values, expected " + d + "') "
        + "WHEN " + NON_FINITE + " THEN 'the embedding holds NaN, an infinity or a null' END";
    if (bad > 0) {
      if (!skip) {
        Row r = rows.withColumn("problem", expr(problem)).filter("problem IS NOT NULL").orderBy("ord").select("ord", "id", "problem").first();
        throw new BadInput(String.format(Locale.ROOT, "%s (id '%s'): %s; %,d bad rows in all (--skip-bad-rows leaves them out)",
            c.where().name(r.getLong(0)), r.isNullAt(1) ? "null" : r.getString(1), r.getString(2), bad));
      }
      rows = rows.filter(expr(problem).isNull());
    }
    // Duplicate ids: every occurrence after the first in corpus order (only ids and orders are shuffled).
    WindowSpec byId = Window.partitionBy("id").orderBy("ord");
    Dataset<Row> dups = rows.select("id", "ord").withColumn("first_ord", first("ord").over(byId)).withColumn("occurrence", row_number().over(byId))
        .filter("occurrence > 1").select("ord", "id", "first_ord").cache();
    long dup = dups.count();
    if (dup > 0) {
      if (!skip) {
        Row r = dups.orderBy("ord").first();
        dups.unpersist();
        throw new BadInput(String.format(Locale.ROOT, "%s (id '%s'): the id repeats that of %s; %,d repeated ids in all (--skip-bad-rows keeps the first)",
            c.where().name(r.getLong(0)), r.getString(1), c.where().name(r.getLong(2)), dup));
      }
      rows = rows.join(broadcast(dups.select("ord")), new String[] {"ord"}, "left_anti");
    } else {
      dups.unpersist();
    }
    return new Checked(rows.select(col("id"), col("embedding"), col("ord")), total - bad - dup, d, bad, dup);
  }
}
