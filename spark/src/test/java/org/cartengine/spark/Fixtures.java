package org.cartengine.spark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.cartengine.cart.ids.IndexConfig;
import picocli.CommandLine;

/** Shared test inputs: Parquet corpora, small identifier settings, commands parsed like the CLI. */
final class Fixtures {
  private Fixtures() {}

  /** Settings small enough for a test, still the cart scheme with all its steps. */
  static IndexConfig smallConfig() {
    IndexConfig c = new IndexConfig();
    c.k = 64;
    c.codebookSize = 32;
    c.latentDim = 8;
    c.hidden = new int[] {32};
    c.epochs = 2;
    c.warmupEpochs = 1;
    c.trainSample = 4096;
    c.seed = 7;
    return c.validate();
  }

  /** The same settings as SparkIndex options. */
  static List<String> smallOptions() {
    return List.of("--k", "64", "--codebook-size", "32", "--latent-dim", "8", "--hidden", "32", "--epochs", "2", "--warmup-epochs", "1",
        "--train-sample", "4096", "--seed", "7");
  }

  /** Writes rows (ids, row-major embeddings of dim d; rows may be given their own length) as Parquet in `files` files, in row order. */
  static Path parquet(SparkSession spark, Path dir, List<String> ids, List<float[]> rows, int files) {
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) items.add(new Item(ids.get(i), rows.get(i), i));
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    // parallelize slices the list into contiguous ranges, so part files in name order hold the rows in order.
    spark.createDataset(jsc.parallelize(items, files).rdd(), Encoders.bean(Item.class)).select("id", "embedding").write().parquet(dir.toString());
    return dir;
  }

  static List<float[]> rows(float[] x, int n, int dim) {
    List<float[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) out.add(java.util.Arrays.copyOfRange(x, i * dim, (i + 1) * dim));
    return out;
  }

  static SparkIndex index(List<String> args) {
    return CommandLine.populateCommand(new SparkIndex(), args.toArray(new String[0]));
  }
}
