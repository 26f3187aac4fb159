package org.cartengine.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.cartengine.cart.ids.IndexResult;
import org.cartengine.cart.ids.IndexStore;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.search.BeamSearch;
import org.cartengine.cart.search.QueryBatch;
import org.cartengine.cart.text.QueryTokenizer;
import org.cartengine.cart.run.RunDir;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;

/** Beam search of a partition's queries (query_id, text) in batches, with the executor's searcher. */
final class SearchPartition implements MapPartitionsFunction<Row, Row> {
  private final String run;
  private final int k, beam, batch;

  SearchPartition(String run, int k, int beam, int batch) {
    this.run = run;
    this.k = k;
    this.beam = beam;
    this.batch = batch;
  }

  /** A run's model, tokenizer and identifiers, loaded as cart search loads them. */
  record Searcher(Backend be, CartModel model, QueryTokenizer tokenizer, IndexResult index) {
    static Searcher load(String dir) {
      try {
        RunDir rd = new RunDir(Path.of(dir));
        Backend be = Backends.get();
        return new Searcher(be, rd.loadModel(be), rd.loadTokenizer(), IndexStore.load(rd.index(), be));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Top-k hits of each query; one batch at a time per executor (the model's forward pass uses every core). */
    synchronized List<List<BeamSearch.Hit>> search(List<String> texts, int beam, int k) {
      List<int[]> enc = texts.stream().map(tokenizer::encode).toList();
      return BeamSearch.search(model, QueryBatch.of(be, enc, model.cfg.maxQueryLength()), index.identifiers().trie(), beam, k);
    }
  }

  /** Searchers of this executor JVM by run directory: loaded once, shared by its tasks. */
  private static final Map<String, Searcher> SEARCHERS = new ConcurrentHashMap<>();

  @Override
  public Iterator<Row> call(Iterator<Row> in) {
    Searcher s = SEARCHERS.computeIfAbsent(run, Searcher::load);
    return new Iterator<>() {
      final List<Row> out = new ArrayList<>();
      int next;

      @Override
      public boolean hasNext() {
        while (next >= out.size()) {
          if (!in.hasNext()) return false;
          out.clear();
          next = 0;
          List<String> ids = new ArrayList<>(), texts = new ArrayList<>();
          while (texts.size() < batch && in.hasNext()) {
            Row r = in.next();
            ids.add(r.isNullAt(0) ? null : r.getString(0));
            texts.add(r.getString(1));
          }
          List<List<BeamSearch.Hit>> hits = s.search(texts, beam, k);
          for (int i = 0; i < texts.size(); i++) {
            int rank = 1;
            for (BeamSearch.Hit h : hits.get(i))
              out.add(RowFactory.create(ids.get(i), texts.get(i), rank++, h.item(), s.index().itemIds().get(h.item()), h.score()));
          }
        }
        return true;
      }

      @Override
      public Row next() {
        if (!hasNext()) throw new java.util.NoSuchElementException();
        return out.get(next++);
      }
    };
  }
}
