package org.cartengine.cart.search;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * Approximate inner-product top-k over unit item vectors with Lucene's HNSW graph (the dual tower's and the caption
 * matcher's item side at millions of items, where {@link ExactTopK}'s cost grows with the corpus).
 *
 * <p>Why Lucene: it is the vector index most Java services already run (Elasticsearch, OpenSearch and Solr are built
 * on it), its on-disk format is versioned and memory-mapped, and it runs on Java 17; DataStax JVector's SIMD paths
 * need Java 20 or newer. Items are indexed by {@value #INDEX_THREADS} threads, each building its own segment's graph,
 * with merging switched off (a merge would rebuild the graphs); a query searches every segment and keeps the best.
 *
 * <p>Vectors must be L2-normalised (Lucene's DOT_PRODUCT similarity assumes it; the check is here, with the row
 * named). A hit's score is the inner product.
 */
public final class HnswIndex implements AutoCloseable {
  static final String FIELD = "v";
  static final String ITEM = "item";
  /** One graph per indexing thread; 2 keeps both cores of a small machine busy without many segments to search. */
  public static final int INDEX_THREADS = 2;
  /** Lucene's defaults: 16 neighbours per node, a candidate list of 100 while building. */
  public static final int DEFAULT_M = 16;
  public static final int DEFAULT_BEAM_WIDTH = 100;

  /**
   * Lucene warns on every start that Java 17 is too old for its Vector API scorer (the JVM runs with the incubator
   * module for our own SIMD backend); its scalar scorer is the one it uses, so the warning says nothing to a user.
   * Held in a field: java.util.logging keeps loggers weakly.
   */
  private static final java.util.logging.Logger VECTORIZATION_LOG = quiet("org.apache.lucene.internal.vectorization.VectorizationProvider");

  private static java.util.logging.Logger quiet(String name) {
    java.util.logging.Logger l = java.util.logging.Logger.getLogger(name);
    if (Runtime.version().feature() < 20) l.setLevel(java.util.logging.Level.SEVERE);
    return l;
  }

  private final Directory dir;
  private final DirectoryReader reader;
  private final IndexSearcher searcher;
  private final int[] itemOfDoc;
  private final int dim;

  private HnswIndex(Directory dir, int dim) throws IOException {
    this.dir = dir;
    this.dim = dim;
    this.reader = DirectoryReader.open(dir);
    this.searcher = new IndexSearcher(reader);
    this.itemOfDoc = new int[reader.maxDoc()];
    for (LeafReaderContext leaf : reader.leaves()) {
      NumericDocValues ids = leaf.reader().getNumericDocValues(ITEM);
      for (int d = ids.nextDoc(); d != NumericDocValues.NO_MORE_DOCS; d = ids.nextDoc()) itemOfDoc[leaf.docBase + d] = (int) ids.longValue();
    }
  }

  /**
   * Builds the graph of {@code n} unit rows of {@code items} (n x dim) in {@code path} (null: in memory).
   *
   * @param progress called with the number of rows indexed so far (every 1,024 rows), may be null
   */
  public static HnswIndex build(float[] items, int n, int dim, int m, int beamWidth, Path path, IntConsumer progress) {
    if (n < 1 || dim < 1 || (long) n * dim > items.length) throw new IllegalArgumentException("hnsw: " + n + " x " + dim + " items do not fit an array of " + items.length);
    if (dim > KnnVectorsFormat.DEFAULT_MAX_DIMENSIONS) throw new IllegalArgumentException("hnsw: dim " + dim + " above Lucene's limit " + KnnVectorsFormat.DEFAULT_MAX_DIMENSIONS);
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int x = 0; x < dim; x++) s += (double) items[i * dim + x] * items[i * dim + x];
      if (Math.abs(s - 1) > 1e-3) throw new IllegalArgumentException("hnsw: item row " + i + " has norm " + Math.sqrt(s) + ", not 1 (L2-normalise the items)");
    }
    try {
      Directory dir = path == null ? new ByteBuffersDirectory() : FSDirectory.open(path);
      KnnVectorsFormat format = new Lucene99HnswVectorsFormat(m, beamWidth);
      IndexWriterConfig cfg = new IndexWriterConfig()
          .setOpenMode(IndexWriterConfig.OpenMode.CREATE)
          .setMergePolicy(NoMergePolicy.INSTANCE)
          // one flush per thread at most per ~1.9 GB of vectors and graph: fewer segments, fewer graphs per query
          .setRAMBufferSizeMB((double) INDEX_THREADS * (IndexWriterConfig.DEFAULT_RAM_PER_THREAD_HARD_LIMIT_MB - 64))
          .setCodec(new Lucene912Codec() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
              return format;
            }
          });
      try (IndexWriter w = new IndexWriter(dir, cfg)) {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(INDEX_THREADS);
        try {
          List<Future<?>> jobs = new ArrayList<>();
          for (int t = 0; t < INDEX_THREADS; t++) {
            jobs.add(pool.submit(() -> {
              for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                float[] v = new float[dim];
                System.arraycopy(items, i * dim, v, 0, dim);
                Document doc = new Document();
                doc.add(new KnnFloatVectorField(FIELD, v, VectorSimilarityFunction.DOT_PRODUCT));
                doc.add(new NumericDocValuesField(ITEM, i));
                w.addDocument(doc);
                if (progress != null && (i & 1023) == 0) progress.accept(i);
              }
              return null;
            }));
          }
          for (Future<?> f : jobs) f.get();
        } finally {
          pool.shutdown();
        }
        w.commit();
      }
      return new HnswIndex(dir, dim);
    } catch (IOException e) {
      throw new UncheckedIOException("hnsw: building the index" + (path == null ? "" : " in " + path), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("hnsw: interrupted while building", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("hnsw: building failed", e.getCause());
    }
  }

  /** Opens an index written by {@link #build} in {@code path}. */
  public static HnswIndex open(Path path, int dim) {
    try {
      return new HnswIndex(FSDirectory.open(path), dim);
    } catch (IOException e) {
      throw new UncheckedIOException("hnsw: cannot open the index in " + path, e);
    }
  }

  public int size() {
    return itemOfDoc.length;
  }

  /** Segments (graphs) a query searches. */
  public int segments() {
    return reader.leaves().size();
  }

  /**
   * The approximate top-k items of each of {@code nq} queries (nq x dim), best first; {@code ef} candidates are
   * kept per segment while walking the graph (at least k; larger is slower and closer to exact). Queries are spread
   * over the common fork/join pool.
   */
  public int[][] search(float[] queries, int nq, int k, int ef) {
    if (k < 1 || ef < k) throw new IllegalArgumentException("hnsw: need 1 <= k <= ef, got k " + k + ", ef " + ef);
    if ((long) nq * dim > queries.length) throw new IllegalArgumentException("hnsw: " + nq + " queries do not fit an array of " + queries.length);
    int[][] out = new int[nq][];
    java.util.stream.IntStream.range(0, nq).parallel().forEach(q -> {
      float[] v = new float[dim];
      System.arraycopy(queries, q * dim, v, 0, dim);
      out[q] = searchOne(v, k, ef);
    });
    return out;
  }

  private int[] searchOne(float[] v, int k, int ef) {
    try {
      TopDocs td = searcher.search(new KnnFloatVectorQuery(FIELD, v, ef), ef);
      ScoreDoc[] sd = td.scoreDocs;
      int[] r = new int[Math.min(k, sd.length)];
      for (int i = 0; i < r.length; i++) r[i] = itemOfDoc[sd[i].doc];
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException("hnsw: search failed", e);
    }
  }

  @Override
  public void close() {
    try {
      reader.close();
      dir.close();
    } catch (IOException e) {
      throw new UncheckedIOException("hnsw: close failed", e);
    }
  }
}
