package org.cartengine.spark;

import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.cartengine.cart.ids.CoarseFineModel;
import org.cartengine.engine.backend.Backends;

/**
 * Semantic tokens (k, v1..vM) of a partition's items (paper 3.2.1-3.2.2): blocks of rows go through the
 * broadcast model on the executor's engine backend (SIMD on a CPU with the Vector API). Each task
 * thread keeps its own copy of the model, built once from the broadcast, so tasks of one executor
 * encode in parallel without sharing tensors.
 */
final class EncodePartition implements MapPartitionsFunction<Item, Row> {
  static final int BLOCK = 4096;
  private final Broadcast<ModelBytes> model;
  private final int dim;

  EncodePartition(Broadcast<ModelBytes> model, int dim) {
    this.model = model;
    this.dim = dim;
  }

  private record Cached(long broadcastId, CoarseFineModel model) {}

  private static final ThreadLocal<Cached> CACHE = new ThreadLocal<>();

  private CoarseFineModel model() {
    Cached c = CACHE.get();
    if (c == null || c.broadcastId() != model.id()) {
      c = new Cached(model.id(), model.value().load(Backends.get()));
      CACHE.set(c);
    }
    return c.model();
  }

  @Override
  public Iterator<Row> call(Iterator<Item> items) {
    CoarseFineModel m = model();
    int len = m.semanticLength();
    return new Iterator<>() {
      final String[] ids = new String[BLOCK];
      final long[] ords = new long[BLOCK];
      final float[] x = new float[BLOCK * dim];
      int[] tokens;
      int size, next;

      @Override
      public boolean hasNext() {
        if (next < size) return true;
        size = 0;
        next = 0;
        while (size < BLOCK && items.hasNext()) {
          Item it = items.next();
          ids[size] = it.getId();
          ords[size] = it.getOrd();
          System.arraycopy(it.getEmbedding(), 0, x, size * dim, dim);
          size++;
        }
        if (size == 0) return false;
        tokens = m.assign(x, size, 0); // reads the first size rows only
        return true;
      }

      @Override
      public Row next() {
        if (!hasNext()) throw new NoSuchElementException();
        Object[] v = new Object[2 + len];
        v[0] = ids[next];
        v[1] = ords[next];
        for (int p = 0; p < len; p++) v[2 + p] = tokens[next * len + p];
        next++;
        return RowFactory.create(v);
      }
    };
  }
}
