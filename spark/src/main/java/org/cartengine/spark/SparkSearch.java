package org.cartengine.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.cartengine.cart.ids.IndexStore;
import org.cartengine.cart.run.RunDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Batch retrieval on Spark: the top-k items of every query in a Parquet or JSONL file, by constrained
 * beam search over identifiers (paper 3.3), written as Parquet with one row per (query, rank). Each
 * executor loads the run's model, tokenizer and trie once (the files {@code cart search} reads) and
 * searches its partitions' queries in batches.
 */
@Command(name = "SparkSearch", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Top-k items for every query of a Parquet/JSONL file with a trained CART run, on Spark.")
public final class SparkSearch implements Callable<Integer> {
  @Option(names = "--run", paramLabel = "DIR", required = true, description = "run directory of cart train, readable at this path by every executor (shared storage, or spark-submit --archives run.tgz#run)")
  String run;

  @Option(names = "--queries", paramLabel = "PATH", required = true, description = "Parquet or JSONL file/directory of queries")
  String queries;

  @Option(names = "--format", paramLabel = "F", defaultValue = "auto", description = "auto | parquet | jsonl (auto: by the .jsonl/.json extension)")
  String format;

  @Option(names = "--text-column", paramLabel = "C", defaultValue = "text", description = "query text column (default: ${DEFAULT-VALUE})")
  String textColumn;

  @Option(names = "--id-column", paramLabel = "C", defaultValue = "id", description = "query id column, copied to the output when present (default: ${DEFAULT-VALUE})")
  String idColumn;

  @Option(names = "--out", paramLabel = "PATH", required = true, description = "output Parquet directory: query_id, text, rank, item, item_id, score")
  String out;

  @Option(names = "--overwrite", description = "replace --out if it exists")
  boolean overwrite;

  @Option(names = {"-k", "--top"}, paramLabel = "K", defaultValue = "5", description = "results per query (default: ${DEFAULT-VALUE})")
  int k;

  @Option(names = "--beam", paramLabel = "B", defaultValue = "10", description = "beam width, at least k (default: ${DEFAULT-VALUE})")
  int beam;

  @Option(names = "--batch", paramLabel = "Q", defaultValue = "64", description = "queries per beam search batch (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--master", paramLabel = "URL", description = "Spark master when not started by spark-submit (default: local[*])")
  String master;

  public record Result(long queries, String out) {}

  static final StructType OUT = new StructType().add("query_id", DataTypes.StringType).add("text", DataTypes.StringType)
      .add("rank", DataTypes.IntegerType, false).add("item", DataTypes.IntegerType, false).add("item_id", DataTypes.StringType)
      .add("score", DataTypes.DoubleType, false);

  public static void main(String[] args) {
    System.exit(new CommandLine(new SparkSearch()).setExecutionExceptionHandler((ex, cmd, parsed) -> org.cartengine.cart.cli.Errors.report(ex, cmd.getErr())).execute(args));
  }

  @Override
  public Integer call() {
    SparkSession spark = Sessions.start("cart SparkSearch", master);
    try {
      Result r = run(spark, System.out);
      System.out.printf(Locale.ROOT, "wrote the top %d of %,d queries to %s%n", k, r.queries(), r.out());
      return 0;
    } catch (org.cartengine.cart.UserError | IllegalArgumentException e) {
      System.err.println("SparkSearch: " + e.getMessage());
      return 2;
    } finally {
      spark.stop();
    }
  }

  public Result run(SparkSession spark, PrintStream log) {
    if (k < 1) throw new BadInput("-k " + k + " must be >= 1");
    if (batch < 1) throw new BadInput("--batch " + batch + " must be >= 1");
    if (k > beam) beam = k;
    RunDir rd = new RunDir(Path.of(run));
    for (Path p : List.of(rd.runJson(), rd.tokenizer(), rd.best(), rd.index().resolve(IndexStore.INDEX_JSON)))
      if (!Files.exists(p)) throw new BadInput("--run " + run + ": " + p + " not found (a run directory of cart train holds it)");
    if (!overwrite && !out.contains("://") && Files.exists(Path.of(out))) throw new BadInput("--out " + out + " exists (--overwrite replaces it)");
    String f = format.equals("auto") ? (queries.endsWith(".jsonl") || queries.endsWith(".json") ? "jsonl" : "parquet") : format;
    Dataset<Row> raw = switch (f) {
      case "jsonl" -> spark.read().option("mode", "FAILFAST").json(queries);
      case "parquet" -> spark.read().parquet(queries);
      default -> throw new BadInput("--format " + format + ": use auto, parquet or jsonl");
    };
    List<String> names = Arrays.asList(raw.columns());
    if (!names.contains(textColumn)) throw new BadInput(queries + ": no column '" + textColumn + "' (columns: " + names + "); name it with --text-column");
    Dataset<Row> q = raw.select(names.contains(idColumn) ? col(idColumn).cast("string").as("query_id") : lit(null).cast("string").as("query_id"),
        col(textColumn).cast("string").as("text"));
    List<Row> nulls = q.filter(col("text").isNull()).limit(1).collectAsList();
    if (!nulls.isEmpty()) throw new BadInput(queries + ": query " + (nulls.get(0).isNullAt(0) ? "(no id)" : "'" + nulls.get(0).getString(0) + "'") + " has no text");
    log.printf(Locale.ROOT, "searching with %s: top %d, beam %d, batches of %d%n", run, k, beam, batch);
    long n = q.count();
    q.mapPartitions(new SearchPartition(run, k, beam, batch), Encoders.row(OUT)).write().mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists).parquet(out);
    return new Result(n, out);
  }
}
