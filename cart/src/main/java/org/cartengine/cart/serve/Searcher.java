package org.cartengine.cart.serve;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.ids.IndexStats;
import org.cartengine.cart.model.CartConfig;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.search.BeamSearch;
import org.cartengine.cart.search.QueryBatch;
import org.cartengine.cart.run.TrainedRun;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;

/**
 * A trained run loaded once and answering text queries from any number of threads.
 *
 * <p>Queries are tokenised on the caller's thread and queued; one batching thread takes the first queued
 * query, gathers more until {@link Options#maxBatch} are queued or {@link Options#maxWaitMicros} have passed,
 * and answers them with one trie-constrained beam search (paper section 3.5) over the whole batch. It waits only
 * while queries arrive closer together than maxWait: a query that comes more than maxWait after the previous one is
 * searched at once with whatever is already queued, so one client pays no batching delay, while concurrent queries
 * share the cost of a batch. The model is only ever used by that one thread.
 *
 * <pre>{@code
 * try (Searcher s = Searcher.open(Path.of("runs/emoji"), Searcher.Options.defaults())) {
 *   for (Searcher.Result r : s.search("grinning face", 5))
 *     System.out.println(r.rank() + " " + r.item().label() + " " + r.score());
 * }
 * }</pre>
 *
 * <p>A {@link ResultReranker} in the options sees the whole beam of every query (not only the top k) after the
 * search and before the top k are cut, e.g. to re-order candidates by embedding similarity.
 */
public final class Searcher implements AutoCloseable {

  /**
   * How the searcher answers.
   *
   * @param beam beam width of the search; also the largest k a query may ask for
   * @param maxBatch most queries searched together
   * @param maxWaitMicros longest a query waits for others to join its batch
   * @param maxQueryChars longest query accepted, in characters
   * @param maxPending most queries queued or being searched; more are refused with {@link Overloaded}
   * @param backend engine backend of the model (null: the current default, {@link Backends#get()})
   * @param reranker applied to each query's beam before its top k are kept (null: none)
   */
  public record Options(int beam, int maxBatch, long maxWaitMicros, int maxQueryChars, int maxPending, Backend backend, ResultReranker reranker) {
    public Options {
      if (beam < 1) throw new IllegalArgumentException("beam must be at least 1, not " + beam);
      if (maxBatch < 1) throw new IllegalArgumentException("batch size must be at least 1, not " + maxBatch);
      if (maxWaitMicros < 0) throw new IllegalArgumentException("batch wait must not be negative");
      if (maxQueryChars < 1) throw new IllegalArgumentException("query length limit must be at least 1");
      if (maxPending < maxBatch) throw new IllegalArgumentException("queue limit " + maxPending + " is below the batch size " + maxBatch);
    }

    /** Beam 10, batches of up to 64 gathered for at most 2 ms, queries of at most 1,000 characters, 4,096 queued. */
    public static Options defaults() {
      return new Options(10, 64, 2_000, 1_000, 4_096, null, null);
    }

    public Options withBeam(int b) {
      return new Options(b, maxBatch, maxWaitMicros, maxQueryChars, maxPending, backend, reranker);
    }

    public Options withBatch(int size, long waitMicros) {
      return new Options(beam, size, waitMicros, maxQueryChars, Math.max(maxPending, size), backend, reranker);
    }

    public Options withMaxPending(int n) {
      return new Options(beam, maxBatch, maxWaitMicros, maxQueryChars, n, backend, reranker);
    }

    public Options withBackend(Backend be) {
      return new Options(beam, maxBatch, maxWaitMicros, maxQueryChars, maxPending, be, reranker);
    }

    public Options withReranker(ResultReranker r) {
      return new Options(beam, maxBatch, maxWaitMicros, maxQueryChars, maxPending, backend, r);
    }
  }

  /**
   * Re-orders (and may re-score or drop) one query's candidates. Called on the batching thread, so never
   * concurrently with itself; candidates are the whole beam, best first by the generative score.
   */
  @FunctionalInterface
  public interface ResultReranker {
    List<Result> rerank(String query, List<Result> candidates);

    /**
     * The candidates of a whole batch re-ranked, row i for {@code queries.get(i)} ({@code tokens}: the queries as the
     * retriever's tokenizer encoded them). By default one query at a time; a re-rank that encodes queries overrides it
     * to encode the batch at once.
     */
    default List<List<Result>> rerank(List<String> queries, List<int[]> tokens, List<List<Result>> candidates) {
      List<List<Result>> out = new ArrayList<>(queries.size());
      for (int i = 0; i < queries.size(); i++) out.add(rerank(queries.get(i), candidates.get(i)));
      return out;
    }

    /** What a re-ranked result's score is, as the API and the page name it. */
    default String scoreName() {
      return "re-rank score";
    }

    /** A guide for the beam search of these queries (null: none). */
    default org.cartengine.cart.search.BeamPrior prior(List<String> queries) {
      return null;
    }
  }

  /**
   * An item of the index.
   *
   * @param index row of the item in the dataset
   * @param media the dataset's media path of the item ("" if none): relative to the dataset directory, or a URL
   * @param identifier its identifier tokens (k, v1, ..., vM, u), named by {@link #identifierNames()}
   */
  public record Item(int index, String id, String label, String media, int[] identifier) {}

  /** One answer: 1-based rank, the item and its score (the identifier's log-probability unless re-ranked: {@link #scoreName()}). */
  public record Result(int rank, Item item, double score) {}

  /** A query the searcher will not take: empty, too long, or k outside [1, beam]. */
  public static final class BadQuery extends IllegalArgumentException {
    public BadQuery(String message) {
      super(message);
    }
  }

  /** Too many queries are queued; the caller should retry later. */
  public static final class Overloaded extends IllegalStateException {
    public Overloaded(String message) {
      super(message);
    }
  }

  /** The searcher has been closed. */
  public static final class Closed extends IllegalStateException {
    public Closed() {
      super("the searcher is closed");
    }
  }

  private record Pending(String query, int[] tokens, int k, long enqueued, CompletableFuture<List<Result>> future) {}

  private static final Pending STOP = new Pending("", new int[0], 0, 0, null);

  private final TrainedRun run;
  private final Options options;
  private final String[] identifierNames;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final AtomicInteger pending = new AtomicInteger();
  private final Object submitLock = new Object();
  private final LatencyWindow latencies = new LatencyWindow(1 << 14);
  private final Thread worker;
  private final long startedNanos = System.nanoTime();
  private volatile boolean closed;
  private long batches, searched, failed, rejected; // guarded by this

  private Searcher(TrainedRun run, Options options) {
    this.run = run;
    this.options = options;
    var model = run.index().model();
    List<String> names = new ArrayList<>(List.of(model.positionNames()));
    if (model.uniqueToken()) names.add("u");
    this.identifierNames = names.toArray(new String[0]);
    this.worker = new Thread(this::loop, "cart-searcher");
    worker.setDaemon(true);
    worker.start();
  }

  /** Loads the run in {@code runDir} (model, tokenizer, index, dataset) and starts the batching thread. */
  public static Searcher open(Path runDir, Options options) throws IOException {
    Backend be = options.backend() != null ? options.backend() : Backends.get();
    return new Searcher(TrainedRun.load(runDir, be), options);
  }

  /** A searcher over an already loaded run. */
  public static Searcher of(TrainedRun run, Options options) {
    return new Searcher(run, options);
  }

  // ---- queries ---------------------------------------------------------------------------------------------------

  /** The top k items for {@code query}, best first; waits for the batch it joins. */
  public List<Result> search(String query, int k) {
    return await(searchAsync(query, k));
  }

  /** The top k items for each query, in order; the queries are batched together (and with any others queued). */
  public List<List<Result>> searchBatch(List<String> queries, int k) {
    if (queries.size() > options.maxPending()) throw new BadQuery(queries.size() + " queries in one batch; at most " + options.maxPending());
    List<CompletableFuture<List<Result>>> fs = new ArrayList<>();
    for (String q : queries) check(q, k);
    for (String q : queries) fs.add(searchAsync(q, k));
    List<List<Result>> out = new ArrayList<>();
    for (var f : fs) out.add(await(f));
    return out;
  }

  /**
   * Queues {@code query} and returns at once; the future completes on the batching thread. Throws
   * {@link BadQuery} for a query that is empty, too long, or a k outside [1, beam], {@link Overloaded} when
   * the queue is full and {@link Closed} after {@link #close()}.
   */
  public CompletableFuture<List<Result>> searchAsync(String query, int k) {
    check(query, k);
    int[] tokens = run.tokenizer().encode(query);
    CompletableFuture<List<Result>> f = new CompletableFuture<>();
    synchronized (submitLock) {
      if (closed) throw new Closed();
      if (pending.incrementAndGet() > options.maxPending()) {
        pending.decrementAndGet();
        synchronized (this) {
          rejected++;
        }
        throw new Overloaded(options.maxPending() + " queries are already waiting; retry later");
      }
      queue.add(new Pending(query, tokens, k, System.nanoTime(), f));
    }
    return f;
  }

  private void check(String query, int k) {
    if (query == null || query.isBlank()) throw new BadQuery("the query is empty");
    if (query.length() > options.maxQueryChars()) throw new BadQuery("the query has " + query.length() + " characters; at most " + options.maxQueryChars());
    if (k < 1 || k > options.beam()) throw new BadQuery("k = " + k + " is outside [1, " + options.beam() + "] (k may not exceed the beam width)");
  }

  private static <T> T await(CompletableFuture<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a search", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException r) throw r;
      if (c instanceof Error er) throw er;
      throw new CompletionException(c);
    }
  }

  // ---- the batching thread ---------------------------------------------------------------------------------------

  private void loop() {
    List<Pending> batch = new ArrayList<>();
    boolean stop = false;
    long lastArrival = Long.MIN_VALUE / 2;
    long maxWait = options.maxWaitMicros() * 1_000;
    while (!stop) {
      try {
        Pending first = queue.take();
        if (first == STOP) break;
        batch.add(first);
        // Wait for company only when queries are arriving closer together than the wait: a query that comes long after
        // the one before it (one client, light traffic) is searched at once with whatever is already queued.
        boolean busy = first.enqueued() - lastArrival <= maxWait;
        long deadline = busy ? System.nanoTime() + maxWait : System.nanoTime();
        while (batch.size() < options.maxBatch()) {
          Pending p = queue.poll();
          if (p == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) break;
            p = queue.poll(left, TimeUnit.NANOSECONDS);
            if (p == null) break;
          }
          if (p == STOP) {
            stop = true; // STOP is queued last (see close), so nothing follows it
            break;
          }
          batch.add(p);
        }
      } catch (InterruptedException e) {
        stop = true;
      }
      if (!batch.isEmpty()) {
        lastArrival = batch.get(batch.size() - 1).enqueued();
        answer(batch);
      }
      batch.clear();
    }
    // Anything still queued when interrupted is failed rather than left waiting forever.
    for (Pending p; (p = queue.poll()) != null; ) if (p != STOP) p.future().completeExceptionally(new Closed());
  }

  private void answer(List<Pending> batch) {
    int k = 1;
    for (Pending p : batch) k = Math.max(k, p.k());
    // With a re-ranker every query's whole beam is a candidate; otherwise only the top k are needed.
    int want = options.reranker() != null ? options.beam() : k;
    List<List<BeamSearch.Hit>> hits;
    try {
      CartModel model = run.model();
      List<int[]> tokens = new ArrayList<>(batch.size());
      for (Pending p : batch) tokens.add(p.tokens());
      QueryBatch q = QueryBatch.of(model.backend(), tokens, model.cfg.maxQueryLength());
      org.cartengine.cart.search.BeamPrior prior = null;
      if (options.reranker() != null) {
        List<String> texts = new ArrayList<>(batch.size());
        for (Pending p : batch) texts.add(p.query());
        prior = options.reranker().prior(texts);
      }
      hits = BeamSearch.search(model, q, run.identifiers().trie(), options.beam(), want, org.cartengine.cart.search.BeamScoring.DEFAULT, prior);
    } catch (RuntimeException | Error e) {
      synchronized (this) {
        failed += batch.size();
      }
      pending.addAndGet(-batch.size());
      for (Pending p : batch) p.future().completeExceptionally(e);
      return;
    }
    long now = System.nanoTime();
    synchronized (this) {
      batches++;
      searched += batch.size();
    }
    List<List<Result>> ranked = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      List<Result> rs = new ArrayList<>();
      for (BeamSearch.Hit h : hits.get(i)) rs.add(new Result(rs.size() + 1, item(h.item()), h.score()));
      ranked.add(List.copyOf(rs));
    }
    if (options.reranker() != null) ranked = rerankBatch(batch, ranked);
    for (int i = 0; i < batch.size(); i++) {
      Pending p = batch.get(i);
      try {
        List<Result> rs = ranked.get(i);
        if (rs == null) throw new IllegalStateException("re-rank failed for this query");
        List<Result> top = new ArrayList<>(Math.min(p.k(), rs.size()));
        for (Result r : rs) {
          if (top.size() == p.k()) break;
          top.add(r.rank() == top.size() + 1 ? r : new Result(top.size() + 1, r.item(), r.score()));
        }
        latencies.add(now, now - p.enqueued());
        pending.decrementAndGet();
        p.future().complete(List.copyOf(top));
      } catch (RuntimeException | Error e) {
        synchronized (this) {
          failed++;
        }
        pending.decrementAndGet();
        p.future().completeExceptionally(e);
      }
    }
  }

  /**
   * The batch's candidates re-ranked in one call (the re-rank's text tower encodes the whole batch at once); if that
   * fails, each query is re-ranked alone so that one bad query fails only its own request (null rows: failed).
   */
  private List<List<Result>> rerankBatch(List<Pending> batch, List<List<Result>> candidates) {
    List<String> texts = new ArrayList<>(batch.size());
    List<int[]> tokens = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      texts.add(p.query());
      tokens.add(p.tokens());
    }
    try {
      List<List<Result>> out = options.reranker().rerank(texts, tokens, candidates);
      if (out.size() == batch.size()) return out;
    } catch (RuntimeException | Error e) {
      if (batch.size() == 1) return java.util.Collections.singletonList(null);
    }
    List<List<Result>> out = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      try {
        out.add(options.reranker().rerank(texts.get(i), candidates.get(i)));
      } catch (RuntimeException | Error e) {
        out.add(null);
      }
    }
    return out;
  }

  // ---- items and facts -------------------------------------------------------------------------------------------

  /** Item at dataset row {@code i}. */
  public Item item(int i) {
    Dataset ds = run.dataset();
    return new Item(i, ds.id(i), ds.label(i), ds.mediaPath(i), run.identifiers().tokens(i));
  }

  /** The item with dataset id {@code id}, if any. */
  public Optional<Item> item(String id) {
    int i = id == null ? -1 : run.dataset().indexOf(id);
    return i < 0 ? Optional.empty() : Optional.of(item(i));
  }

  /** What a result's score is: the identifier's log-probability, or the re-rank's blend when a re-rank is on. */
  public String scoreName() {
    return options.reranker() == null ? "log p" : options.reranker().scoreName();
  }

  /** The retriever as results tables name it: "CART (semantic ids, caption space, pretrained encoder)", "CART (atomic ids)", ... */
  public String method() {
    var icfg = run.index().config();
    return icfg.scheme.methodLabel(icfg.space, run.model().cfg.pretrainedText());
  }

  /** Names of the identifier positions: k, v1, ..., vM, u for the default scheme. */
  public String[] identifierNames() {
    return identifierNames.clone();
  }

  public Options options() {
    return options;
  }

  public Dataset dataset() {
    return run.dataset();
  }

  public CartConfig modelConfig() {
    return run.model().cfg;
  }

  public IndexStats indexStats() {
    return run.index().stats();
  }

  public String backendName() {
    return run.model().backend().name();
  }

  public Path runDir() {
    return run.run().dir;
  }

  /**
   * What the searcher has done since it opened.
   *
   * @param queries queries answered
   * @param batches beam searches run
   * @param failed queries whose search failed
   * @param rejected queries refused because the queue was full
   * @param pending queries queued or being searched now
   * @param queriesPerSecond answered per second over the last {@link LatencyWindow#RECENT_SECONDS} seconds
   * @param latencyMs p50, p90, p99 and max latency (queued to answered) of the most recent queries, in ms
   */
  public record Stats(long queries, long batches, long failed, long rejected, int pending, double meanBatch, double queriesPerSecond,
      double p50Ms, double p90Ms, double p99Ms, double maxMs, double uptimeSeconds) {}

  public Stats stats() {
    long q, b, f, r;
    synchronized (this) {
      q = searched;
      b = batches;
      f = failed;
      r = rejected;
    }
    double[] p = latencies.percentilesMs(System.nanoTime(), 0.50, 0.90, 0.99, 1.0);
    return new Stats(q, b, f, r, pending.get(), b == 0 ? 0 : (double) q / b, latencies.recentRate(System.nanoTime()),
        p[0], p[1], p[2], p[3], (System.nanoTime() - startedNanos) / 1e9);
  }

  /**
   * Stops taking queries, answers those already queued, then stops the batching thread (waiting up to 30 s
   * for it). Later calls do nothing.
   */
  @Override
  public void close() {
    synchronized (submitLock) {
      if (closed) return;
      closed = true;
      queue.add(STOP);
    }
    try {
      worker.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (worker.isAlive()) worker.interrupt();
  }

  @Override
  public String toString() {
    return "Searcher[" + runDir() + ", beam " + options.beam() + ", batch " + options.maxBatch() + ", identifier " + Arrays.toString(identifierNames) + "]";
  }
}
