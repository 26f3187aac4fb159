package org.cartengine.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.xxhash64;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.cartengine.cart.ids.CoarseFineModel;
import org.cartengine.cart.ids.IdentifierBuilder;
import org.cartengine.cart.ids.Identifiers;
import org.cartengine.cart.ids.IndexConfig;
import org.cartengine.cart.ids.IndexResult;
import org.cartengine.cart.ids.IndexStats;
import org.cartengine.cart.ids.IndexStore;
import org.cartengine.cart.ids.LevelStats;
import org.cartengine.cart.ids.ProgressListener;
import org.cartengine.cart.ids.Scheme;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;
import org.cartengine.engine.io.AtomicFiles;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Semantic identifiers (k, v1..vM, u) of a corpus on Apache Spark (paper 3.2), for corpora whose
 * embeddings do not fit one machine's memory:
 * <ol>
 *   <li>the coarse K-Means and the RQ-VAE are fitted on the driver with the engine, on a seeded sample of
 *       the corpus (the same code and defaults as {@code cart index}), or loaded from a {@code cart index} directory;
 *   <li>the model is broadcast; executors assign k and encode v1..vM partition by partition;
 *   <li>u is the row number within the item's (k, v1..vM) prefix in corpus order: the prefix database's
 *       "search and count" (3.2.3) as a window;
 *   <li>the identifier table is written as Parquet, with the statistics of {@code cart index}; when the
 *       corpus fits one machine, OUT is also a {@code cart index} directory ({@code cart search}, {@code cart index --add} read it).
 * </ol>
 */
@Command(name = "SparkIndex", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Build CART identifiers (k, v1..vM, u) of a Parquet, dataset-directory or synthetic corpus on Spark.")
public final class SparkIndex implements Callable<Integer> {
  /** The Spark job's report beside the index files. */
  static final String SPARK_JSON = "spark.json";
  private static final Gson JSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();


  static final class Source {
    @Option(names = "--input", paramLabel = "PATH", description = "Parquet file or directory (columns id STRING, embedding ARRAY<FLOAT>), or a dataset directory / embedded dataset name")
    String input;

    @Option(names = "--synthetic", paramLabel = "N", description = "N synthetic items (the rows of cart index --synthetic N)")
    Integer synthetic;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source = new Source();

  @Option(names = "--format", paramLabel = "F", defaultValue = "auto", description = "auto | parquet | dataset (auto: a directory with dataset.json or an embedded name is a dataset)")
  String format;

  @Option(names = "--id-column", paramLabel = "C", defaultValue = "id", description = "Parquet id column (default: ${DEFAULT-VALUE})")
  String idColumn;

  @Option(names = "--embedding-column", paramLabel = "C", defaultValue = "embedding", description = "Parquet embedding column (default: ${DEFAULT-VALUE})")
  String embeddingColumn;

  @Option(names = "--dim", paramLabel = "D", defaultValue = "256", description = "embedding dimension of --synthetic (default: ${DEFAULT-VALUE})")
  int dim;

  @Option(names = "--out", paramLabel = "DIR", required = true, description = "output directory: identifiers.parquet, spark.json, and the cart index files when the corpus fits --local-max")
  Path out;

  @Option(names = "--table", paramLabel = "URI", description = "where Spark writes the identifier table (default: OUT/identifiers.parquet; on a cluster without shared storage e.g. hdfs:///...)")
  String tableUri;

  @Option(names = "--overwrite", description = "replace the outputs of an earlier run in --out")
  boolean overwrite;

  @Option(names = "--models", paramLabel = "DIR", description = "use the models of this cart index directory instead of fitting")
  Path models;

  @Option(names = "--fit-sample", paramLabel = "N", defaultValue = "65536", description = "items collected on the driver to fit K-Means and the RQ-VAE (default: ${DEFAULT-VALUE}; the RQ-VAE trains on --train-sample of them)")
  int fitSample;

  @Option(names = "--skip-bad-rows", description = "leave out rows with a wrong embedding length, NaN/infinite values or a repeated id, and count them (default: fail naming the first)")
  boolean skipBadRows;

  @Option(names = "--local-max", paramLabel = "N", defaultValue = "20000000", description = "also write OUT as a cart index directory when at most N items (collected on the driver; default: ${DEFAULT-VALUE})")
  long localMax;

  @Option(names = "--partitions", paramLabel = "P", description = "partitions of a synthetic or dataset-directory corpus (default: 4 x default parallelism)")
  Integer partitions;

  @Option(names = "--master", paramLabel = "URL", description = "Spark master when not started by spark-submit (default: local[*])")
  String master;

  @Option(names = "--scheme", paramLabel = "S", defaultValue = "cart", description = "cart | rq-only (default: ${DEFAULT-VALUE})")
  String scheme;

  /** The defaults of the identifier options below are IndexConfig's, as in {@code cart index}. */
  private static final IndexConfig DEFAULTS = new IndexConfig();

  @Option(names = "--k", paramLabel = "K", description = "K-Means clusters; 0 = scaled to the corpus as in cart index (default: ${DEFAULT-VALUE}; at most sample/4)")
  int k = DEFAULTS.k;

  @Option(names = "--codebooks", paramLabel = "M", description = "RQ-VAE codebooks M (default: ${DEFAULT-VALUE})")
  int codebooks = DEFAULTS.codebooks;

  @Option(names = "--codebook-size", paramLabel = "N", description = "codes per codebook; 0 = scaled to the corpus as --k (default: ${DEFAULT-VALUE})")
  int codebookSize = DEFAULTS.codebookSize;

  @Option(names = "--latent-dim", paramLabel = "D", description = "codebook vector dimension (default: ${DEFAULT-VALUE})")
  int latentDim = DEFAULTS.latentDim;

  @Option(names = "--hidden", paramLabel = "W,W,..", split = ",", description = "encoder hidden widths (default: ${DEFAULT-VALUE})")
  int[] hidden = DEFAULTS.hidden.clone();

  @Option(names = "--epochs", paramLabel = "E", description = "RQ-VAE epochs (default: ${DEFAULT-VALUE})")
  int epochs = DEFAULTS.epochs;

  @Option(names = "--warmup-epochs", paramLabel = "E", description = "warm-up epochs (default: ${DEFAULT-VALUE})")
  int warmupEpochs = DEFAULTS.warmupEpochs;

  @Option(names = "--lr", paramLabel = "LR", description = "peak learning rate (default: ${DEFAULT-VALUE})")
  double lr = DEFAULTS.lr;

  @Option(names = "--batch-size", paramLabel = "B", description = "RQ-VAE batch size (default: ${DEFAULT-VALUE})")
  int batchSize = DEFAULTS.batchSize;

  @Option(names = "--train-sample", paramLabel = "N", description = "RQ-VAE training rows, 0 = the whole fit sample (default: ${DEFAULT-VALUE})")
  int trainSample = DEFAULTS.trainSample;

  @Option(names = "--seed", paramLabel = "S", description = "random seed (default: ${DEFAULT-VALUE})")
  long seed = DEFAULTS.seed;

  /** What a run produced. */
  public record Result(long items, long badRows, long duplicateIds, int dim, IndexStats stats, boolean localIndex, Path out,
      Map<String, PhaseMetrics.Phase> executors, long peakExecutorHeapBytes) {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new SparkIndex()).setExecutionExceptionHandler((ex, cmd, parsed) -> org.cartengine.cart.cli.Errors.report(ex, cmd.getErr())).execute(args));
  }

  @Override
  public Integer call() {
    SparkSession spark = Sessions.start("cart SparkIndex", master);
    try {
      Result r = run(spark, System.out);
      System.out.print(r.stats().table());
      System.out.printf(Locale.ROOT, "%-24s %s%n", "executors", PhaseMetrics.describe(r.executors(), r.peakExecutorHeapBytes()));
      if (!r.localIndex()) System.out.println("(trie not built: " + r.items() + " items exceed --local-max; OUT holds identifiers.parquet and spark.json)");
      System.out.printf(Locale.ROOT, "%-24s %s%n", "wrote", r.out());
      return 0;
    } catch (org.cartengine.cart.UserError | IllegalArgumentException e) {
      System.err.println("SparkIndex: " + e.getMessage());
      return 2;
    } finally {
      spark.stop();
    }
  }

  /** The job on a running session; log receives progress lines. */
  public Result run(SparkSession spark, PrintStream log) {
    PhaseMetrics metrics = PhaseMetrics.attach(spark);
    try {
      return run(spark, log, metrics);
    } finally {
      metrics.finish();
    }
  }

  private Result run(SparkSession spark, PrintStream log, PhaseMetrics metrics) {
    long t0 = System.nanoTime();
    Map<String, Double> seconds = new LinkedHashMap<>();
    String table = tableUri != null ? tableUri : out.resolve("identifiers.parquet").toString();
    prepareOut(table);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int parts = partitions != null ? partitions : 4 * jsc.defaultParallelism();
    if (parts < 1) throw new BadInput("--partitions " + parts + " must be >= 1");

    IndexConfig cfg;
    CoarseFineModel model = null;
    IndexStats train = null;
    if (models != null) {
      IndexResult saved;
      try {
        saved = IndexStore.load(models);
      } catch (java.io.IOException e) {
        throw new BadInput("--models " + models + ": " + e.getMessage());
      }
      if (!(saved.model() instanceof CoarseFineModel cf)) throw new BadInput("--models " + models + ": scheme " + saved.config().scheme.cliName + "; SparkIndex runs cart and rq-only");
      model = cf;
      cfg = saved.config();
      train = saved.stats();
    } else {
      cfg = config();
    }

    long t = System.nanoTime();
    metrics.phase("checks");
    Corpus corpus = corpus(spark, parts);
    if (corpus.dim() > 0 && model != null && corpus.dim() != model.inputDim())
      throw new BadInput("the corpus has embeddings of dim " + corpus.dim() + ", the models in " + models + " take " + model.inputDim());
    RowChecks.Checked checked = RowChecks.check(corpus, model != null ? model.inputDim() : -1, skipBadRows);
    long n = checked.items();
    if (n < 1) throw new BadInput("no rows left to index (" + checked.skipped() + " skipped)");
    if (n > Integer.MAX_VALUE) throw new BadInput(n + " items: at most " + Integer.MAX_VALUE);
    if (checked.skipped() > 0) log.printf(Locale.ROOT, "skipped %,d rows (%,d bad embeddings or ids, %,d repeated ids)%n", checked.skipped(), checked.badRows(), checked.duplicateIds());
    seconds.put("checks", secs(t));

    if (model == null) {
      t = System.nanoTime();
      metrics.phase("fit sample");
      IndexResult fit = fit(checked, cfg, log);
      model = (CoarseFineModel) fit.model();
      cfg = fit.config();
      train = fit.stats();
      seconds.put("fit on driver", secs(t));
    }

    t = System.nanoTime();
    metrics.phase("encode + u + write");
    Broadcast<ModelBytes> bc = jsc.broadcast(ModelBytes.of(model, cfg));
    String[] names = model.positionNames();
    StructType coded = new StructType().add("id", DataTypes.StringType).add("ord", DataTypes.LongType);
    for (String p : names) coded = coded.add(p, DataTypes.IntegerType, false);
    Dataset<Row> semantic = checked.rows().as(Encoders.bean(Item.class)).mapPartitions(new EncodePartition(bc, checked.dim()), Encoders.row(coded));
    // u (3.2.3): earlier items in corpus order with the same (k, v1..vM), the prefix database's count.
    Column[] prefix = new Column[names.length];
    for (int i = 0; i < names.length; i++) prefix[i] = col(names[i]);
    Dataset<Row> ids = semantic.withColumn("u", row_number().over(Window.partitionBy(prefix).orderBy("ord")).minus(1).cast("int"));
    ids.write().mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists).parquet(table);
    bc.destroy();
    seconds.put("encode + u + write", secs(t));

    t = System.nanoTime();
    metrics.phase("statistics");
    Dataset<Row> written = spark.read().parquet(table);
    SparkStats s = SparkStats.of(written, model, n);
    seconds.put("statistics", secs(t));

    boolean local = n <= localMax;
    Identifiers local_ids = null;
    List<String> itemIds = null;
    if (local) {
      t = System.nanoTime();
      metrics.phase("local index");
      int len = names.length + 1;
      int[] tokens = new int[(int) n * len];
      itemIds = new ArrayList<>((int) n);
      Iterator<Row> it = written.orderBy("ord").toLocalIterator();
      int i = 0;
      while (it.hasNext()) {
        Row r = it.next();
        itemIds.add(r.getString(0));
        for (int p = 0; p < len; p++) tokens[i * len + p] = r.getInt(2 + p);
        i++;
      }
      if (i != n) throw new IllegalStateException("identifier table holds " + i + " rows, expected " + n);
      local_ids = new Identifiers(tokens, (int) n, len, s.vocab());
      seconds.put("local index", secs(t));
    }
    seconds.put("total", secs(t0));
    Map<String, PhaseMetrics.Phase> executors = metrics.finish();
    Backend be = Backends.get();
    IndexStats stats = new IndexStats(model.scheme().cliName, (int) n, names.length + 1, s.vocab(), s.collisionRate(), s.maxU(), s.levels(),
        train.reconError(), train.reconRows(), local ? local_ids.trie().nodeCount() : 0, local ? local_ids.trie().memoryBytes() : 0, 4L * n * (names.length + 1),
        train.epochLoss(), train.rqvaeSteps(), train.deadCodeResets(), seconds, "spark " + spark.version() + " on " + spark.sparkContext().master() + ", " + be.name() + ": " + be.device());
    try {
      if (local) IndexStore.save(out, new IndexResult(cfg, model, local_ids, itemIds, stats));
      else Files.write(out.resolve(IndexStore.MODEL_WEIGHTS), ModelBytes.of(model, cfg).safetensors());
      com.google.gson.JsonObject o = new com.google.gson.JsonObject();
      o.addProperty("items", n);
      o.addProperty("bad_rows_skipped", checked.badRows());
      o.addProperty("repeated_ids_skipped", checked.duplicateIds());
      o.addProperty("cart_index_directory", local);
      o.add("config", com.google.gson.JsonParser.parseString(cfg.toJson()));
      o.add("stats", JSON.toJsonTree(stats));
      o.add("executors", JSON.toJsonTree(executors));
      o.addProperty("peak_executor_heap_bytes", metrics.peakHeapBytes());
      AtomicFiles.writeString(out.resolve(SPARK_JSON), JSON.toJson(o));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return new Result(n, checked.badRows(), checked.duplicateIds(), checked.dim(), stats, local, out, executors, metrics.peakHeapBytes());
  }

  private void prepareOut(String table) {
    try {
      Path local = table.contains("://") ? null : Path.of(table);
      if (local != null && Files.exists(local) && !overwrite) throw new BadInput(table + " exists (--overwrite replaces it)");
      // With --overwrite, an index of the earlier run must not stay beside the new table.
      if (overwrite) for (String f : List.of(IndexStore.INDEX_JSON, IndexStore.IDENTIFIERS_TSV, IndexStore.TRIE_WEIGHTS, IndexStore.MODEL_WEIGHTS, SPARK_JSON)) Files.deleteIfExists(out.resolve(f));
      Files.createDirectories(out);
    } catch (java.io.IOException e) {
      throw new BadInput("--out " + out + ": " + e.getMessage());
    }
  }

  private IndexConfig config() {
    IndexConfig c = new IndexConfig();
    c.scheme = Scheme.parse(scheme);
    if (c.scheme != Scheme.CART && c.scheme != Scheme.RQ_ONLY) throw new BadInput("--scheme " + scheme + ": SparkIndex runs cart and rq-only");
    c.k = k;
    c.codebooks = codebooks;
    c.codebookSize = codebookSize;
    c.latentDim = latentDim;
    c.hidden = hidden;
    c.epochs = epochs;
    c.warmupEpochs = warmupEpochs;
    c.lr = lr;
    c.batchSize = batchSize;
    c.trainSample = trainSample;
    c.seed = seed;
    if (fitSample < 1) throw new BadInput("--fit-sample " + fitSample + " must be >= 1");
    return c.validate();
  }

  private Corpus corpus(SparkSession spark, int parts) {
    if (source.synthetic != null) {
      if (source.synthetic < 1 || dim < 1) throw new BadInput("--synthetic " + source.synthetic + " --dim " + dim + ": both must be >= 1");
      return Corpus.synthetic(spark, source.synthetic, dim, seed, parts);
    }
    String in = source.input;
    String f = format;
    if (f.equals("auto")) {
      Path p = Path.of(in);
      boolean ds = Files.isDirectory(p) ? Files.exists(p.resolve(org.cartengine.cart.data.Dataset.INFO)) : org.cartengine.cart.data.Dataset.isEmbedded(in);
      f = ds ? "dataset" : "parquet";
    }
    return switch (f) {
      case "parquet" -> {
        if (!in.contains("://") && !Files.exists(Path.of(in))) throw new BadInput("--input " + in + ": no such file or directory");
        yield Corpus.parquet(spark, in, idColumn, embeddingColumn);
      }
      case "dataset" -> {
        try {
          yield Corpus.dataset(spark, in, parts);
        } catch (org.cartengine.cart.data.DatasetException e) {
          throw new BadInput("--input " + in + ": invalid dataset: " + e.getMessage());
        }
      }
      default -> throw new BadInput("--format " + format + ": use auto, parquet or dataset");
    };
  }

  /**
   * Fits the identifier model on the driver: a seeded sample of at most --fit-sample rows (the rows with
   * the smallest hash of (corpus order, seed), so the sample does not depend on partitioning), in corpus
   * order, through {@link IdentifierBuilder#build} as in cart index. A corpus no larger than the sample is
   * used whole, which makes the fit the one cart index makes.
   */
  private IndexResult fit(RowChecks.Checked c, IndexConfig cfg, PrintStream log) {
    Dataset<Row> pool = c.rows();
    if (c.items() > fitSample) {
      double frac = Math.min(1.0, 1.25 * fitSample / c.items() + 1e-4);
      pool = pool.withColumn("h", xxhash64(col("ord"), lit(cfg.seed)))
          .filter(expr("pmod(h, 1073741824)").lt(lit((long) (frac * (1L << 30)))))
          .orderBy("h").limit(fitSample).drop("h");
    }
    List<Item> rows = new ArrayList<>(pool.as(Encoders.bean(Item.class)).collectAsList());
    rows.sort(Comparator.comparingLong(Item::getOrd));
    int s = rows.size(), d = c.dim();
    float[] x = new float[s * d];
    List<String> ids = new ArrayList<>(s);
    for (int i = 0; i < s; i++) {
      System.arraycopy(rows.get(i).getEmbedding(), 0, x, i * d, d);
      ids.add(rows.get(i).getId());
    }
    log.printf(Locale.ROOT, "fitting K-Means and the RQ-VAE on %,d of %,d items on the driver%n", s, c.items());
    long t0 = System.nanoTime();
    ProgressListener pl = new ProgressListener() {
      @Override
      public void phase(String name) {
        log.printf(Locale.ROOT, "[%6.1f s] %s%n", secs(t0), name);
      }
    };
    return IdentifierBuilder.build(x, s, d, ids, cfg, pl, Backends.get());
  }

  static double secs(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }
}
