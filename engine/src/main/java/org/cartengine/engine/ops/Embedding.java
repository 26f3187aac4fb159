package org.cartengine.engine.ops;

import static org.cartengine.engine.autograd.Autograd.accumulate;
import static org.cartengine.engine.autograd.Autograd.record;

import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;

/** Embedding lookup: rows of a table by I32 index; the backward is a scatter-add into the table. */
public final class Embedding {
  private Embedding() {}

  public static Tensor lookup(Tensor table, Tensor idx) {
    if (idx.dtype() != DType.I32) throw new IllegalArgumentException("embedding: indices must be I32, got " + idx.dtype());
    if (table.rank() != 2) throw new IllegalArgumentException("embedding: table must be [vocab, dim]");
    int vocab = table.dim(0), dim = table.dim(1), n = idx.numel();
    int[] outShape = java.util.Arrays.copyOf(idx.shape(), idx.rank() + 1);
    outShape[idx.rank()] = dim;
    Backend be = table.backend();
    Tensor tc = Views.contiguous(table), ic = Views.contiguous(idx);
    Tensor y = Tensor.zeros(be, table.dtype(), outShape);
    be.gather(tc.buffer(), ic.buffer(), y.buffer(), n, dim, vocab);
    return record(y, "embedding", g -> {
      Tensor gc = Views.contiguous(g);
      Tensor dt = Tensor.zeros(be, table.dtype(), vocab, dim);
      be.scatterAdd(gc.buffer(), ic.buffer(), dt.buffer(), n, dim, vocab);
      accumulate(table, dt);
    }, table);
  }
}
