package org.cartengine.spark;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.cartengine.cart.data.Embeddings;
import org.cartengine.cart.ids.SyntheticCorpus;

/**
 * The corpus to index as a Spark table (id STRING, embedding ARRAY&lt;FLOAT&gt;, ord LONG), from one of three
 * sources: Parquet files, a dataset directory of the project's format (items.npy + items.tsv, or an embedded
 * dataset name), or a synthetic corpus generated partition by partition (the same rows as
 * {@code cart index --synthetic}).
 *
 * @param rows the table
 * @param items number of rows when known without a pass over the data (-1 for Parquet)
 * @param dim embedding dimension when fixed by the source (-1 for Parquet)
 * @param trusted whether rows need no checks (generated here)
 * @param where names a row by its corpus order in error messages
 */
public record Corpus(Dataset<Row> rows, long items, int dim, boolean trusted, RowNames where) {

  /** How error messages name the row with a given corpus order. */
  public interface RowNames extends Serializable {
    String name(long ord);
  }

  /** File numbers take the bits above the row index in a Parquet row's corpus order. */
  static final int FILE_SHIFT = 40;

  /** Parquet files (a file or a directory of them) with an id column and an embedding column (array of numbers). */
  public static Corpus parquet(SparkSession spark, String path, String idColumn, String embeddingColumn) {
    Dataset<Row> raw = spark.read().parquet(path);
    StructType schema = raw.schema();
    List<String> names = Arrays.asList(schema.fieldNames());
    if (!names.contains(idColumn)) throw new BadInput(path + ": no column '" + idColumn + "' (columns: " + names + "); name the id column with --id-column");
    if (!names.contains(embeddingColumn))
      throw new BadInput(path + ": no column '" + embeddingColumn + "' (columns: " + names + "); name the embedding column with --embedding-column");
    StructField ef = schema.apply(embeddingColumn);
    if (!(ef.dataType() instanceof ArrayType at) || !(at.elementType() instanceof NumericType))
      throw new BadInput(path + ": column '" + embeddingColumn + "' is " + ef.dataType().simpleString() + ", expected an array of numbers");
    Dataset<Row> meta = raw.select(col(idColumn).cast("string").as("id"), col(embeddingColumn).cast("array<float>").as("embedding"),
        col("_metadata.file_path").as("file"), col("_metadata.row_index").as("row_index"));
    // Corpus order: files in path order, rows in file order (Spark's own split order depends on file sizes).
    List<String> files = new ArrayList<>();
    for (Row r : meta.select("file").distinct().collectAsList()) files.add(r.getString(0));
    files.sort(null);
    if (files.size() >= (1 << (63 - FILE_SHIFT))) throw new BadInput(path + ": " + files.size() + " files, at most " + (1 << (63 - FILE_SHIFT)));
    List<Row> fileRows = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) fileRows.add(RowFactory.create(files.get(i), (long) i));
    StructType fs = new StructType().add("file", DataTypes.StringType).add("file_no", DataTypes.LongType);
    Dataset<Row> fileNos = spark.createDataFrame(fileRows, fs);
    Dataset<Row> rows = meta.join(broadcast(fileNos), "file")
        .select(col("id"), col("embedding"), expr("shiftleft(file_no, " + FILE_SHIFT + ") + row_index").as("ord"));
    String[] fileNames = files.toArray(new String[0]);
    RowNames where = ord -> {
      int f = (int) (ord >>> FILE_SHIFT);
      long r = ord & ((1L << FILE_SHIFT) - 1);
      return "row " + r + " of " + (f < fileNames.length ? fileNames[f] : "file #" + f);
    };
    return new Corpus(rows, -1, -1, false, where);
  }

  /** A dataset directory (or embedded dataset name) read by every task from the same path: items.npy memory-mapped. */
  public static Corpus dataset(SparkSession spark, String dirOrName, int partitions) {
    org.cartengine.cart.data.Dataset ds = org.cartengine.cart.data.Dataset.open(dirOrName);
    int n = ds.size(), dim = ds.dim();
    String abs = Files.isDirectory(Path.of(dirOrName)) ? Path.of(dirOrName).toAbsolutePath().toString() : dirOrName;
    Dataset<Row> rows = ranges(spark, n, partitions, new DatasetRows(abs)).toDF();
    return new Corpus(rows, n, dim, false, ord -> "row " + ord + " of " + abs + " (items.tsv line " + (ord + 2) + ")");
  }

  /** n synthetic items (the benchmark corpus of {@link SyntheticCorpus.Spec#of}), ids "syn&lt;seed&gt;-&lt;row&gt;" as in cart index. */
  public static Corpus synthetic(SparkSession spark, int n, int dim, long seed, int partitions) {
    Dataset<Row> rows = ranges(spark, n, partitions, new SyntheticRows(n, dim, seed)).toDF();
    return new Corpus(rows, n, dim, true, ord -> "synthetic row " + ord);
  }

  private static Dataset<Item> ranges(SparkSession spark, int n, int partitions, RangeRows gen) {
    int p = Math.max(1, Math.min(partitions, n));
    return spark.range(0, p, 1, p).flatMap((FlatMapFunction<Long, Item>) part -> {
      int from = (int) ((long) n * part / p), to = (int) ((long) n * (part + 1) / p);
      return gen.rows(from, to);
    }, Encoders.bean(Item.class));
  }

  /** Items of rows [from, to), produced lazily in blocks. */
  interface RangeRows extends Serializable {
    Iterator<Item> rows(int from, int to);
  }

  private static final int BLOCK = 4096;

  /** Rows of the dataset opened once per executor JVM (the memory map and the id list are shared by its tasks). */
  record DatasetRows(String dirOrName) implements RangeRows {
    private static final Map<String, org.cartengine.cart.data.Dataset> OPEN = new ConcurrentHashMap<>();

    @Override
    public Iterator<Item> rows(int from, int to) {
      org.cartengine.cart.data.Dataset ds = OPEN.computeIfAbsent(dirOrName, org.cartengine.cart.data.Dataset::open);
      Embeddings e = ds.embeddings();
      int dim = ds.dim();
      return new Iterator<>() {
        int i = from;

        @Override
        public boolean hasNext() {
          return i < to;
        }

        @Override
        public Item next() {
          if (i >= to) throw new NoSuchElementException();
          float[] x = new float[dim];
          e.row(i, x, 0);
          Item it = new Item(ds.id(i), x, i);
          i++;
          return it;
        }
      };
    }
  }

  /** Synthetic rows generated a block at a time; the shared centres are drawn once per executor JVM. */
  record SyntheticRows(int n, int dim, long seed) implements RangeRows {
    private static final Map<SyntheticRows, SyntheticCorpus.Rows> GEN = new ConcurrentHashMap<>();

    @Override
    public Iterator<Item> rows(int from, int to) {
      SyntheticCorpus.Rows g = GEN.computeIfAbsent(this, k -> new SyntheticCorpus.Rows(SyntheticCorpus.Spec.of(n, dim, seed)));
      return new Iterator<>() {
        int i = from, blockStart = from;
        float[] block = new float[0];

        @Override
        public boolean hasNext() {
          return i < to;
        }

        @Override
        public Item next() {
          if (i >= to) throw new NoSuchElementException();
          if (i - blockStart >= block.length / dim) {
            blockStart = i;
            block = g.generate(i, Math.min(to, i + BLOCK));
          }
          int o = (i - blockStart) * dim;
          Item it = new Item("syn" + seed + "-" + i, Arrays.copyOfRange(block, o, o + dim), i);
          i++;
          return it;
        }
      };
    }
  }
}
