package org.cartengine.spark;

import static org.apache.spark.sql.functions.expr;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.cartengine.cart.ids.IdentifierModel;
import org.cartengine.cart.ids.LevelStats;

/**
 * The identifier statistics {@code cart index} prints (collision rate, largest u, and utilisation and
 * perplexity of every position), from Spark aggregates over the identifier table: code counts per
 * position go through the same {@link LevelStats#ofCounts} as the single-machine statistics, so both agree exactly.
 */
record SparkStats(int[] vocab, double collisionRate, int maxU, List<LevelStats> levels) {

  static SparkStats of(Dataset<Row> ids, IdentifierModel model, long n) {
    Row a = ids.agg(expr("count(*)"), expr("count_if(u > 0)"), expr("max(u)")).first();
    if (a.getLong(0) != n) throw new IllegalStateException("identifier table holds " + a.getLong(0) + " rows, expected " + n);
    long collided = a.getLong(1);
    int maxU = a.getInt(2);
    int[] sem = model.vocab((int) n);
    int[] vocab = java.util.Arrays.copyOf(sem, sem.length + 1);
    vocab[sem.length] = maxU + 1;
    String[] names = model.positionNames();
    // Code counts of every position in one pass: (position, token) pairs counted.
    StringBuilder stack = new StringBuilder("stack(" + names.length);
    for (int p = 0; p < names.length; p++) stack.append(", ").append(p).append(", `").append(names[p]).append('`');
    long[][] counts = new long[names.length][];
    for (int p = 0; p < names.length; p++) counts[p] = new long[vocab[p]];
    for (Row r : ids.selectExpr(stack + ") AS (pos, token)").groupBy("pos", "token").count().collectAsList())
      counts[r.getInt(0)][r.getInt(1)] = r.getLong(2);
    List<LevelStats> levels = new ArrayList<>();
    for (int p = 0; p < names.length; p++) levels.add(LevelStats.ofCounts(names[p], counts[p], n));
    return new SparkStats(vocab, n == 0 ? 0 : (double) collided / n, maxU, levels);
  }
}
