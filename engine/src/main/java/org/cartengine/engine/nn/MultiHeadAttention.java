package org.cartengine.engine.nn;

import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.ops.Attention;

/** Multi-head attention: projections around the fused attention op. Inputs are [B, T, dModel]. */
public final class MultiHeadAttention extends Module {
  public final Linear q;
  public final Linear k;
  public final Linear v;
  public final Linear o;
  private final int heads;
  private final int dModel;

  public MultiHeadAttention(Backend be, DType dt, Rng rng, String name, int dModel, int heads) {
    if (dModel % heads != 0) throw new IllegalArgumentException("MultiHeadAttention: dModel " + dModel + " is not divisible by heads " + heads);
    this.heads = heads;
    this.dModel = dModel;
    q = module("q", new Linear(be, dt, rng, name + ".q", dModel, dModel, true));
    k = module("k", new Linear(be, dt, rng, name + ".k", dModel, dModel, true));
    v = module("v", new Linear(be, dt, rng, name + ".v", dModel, dModel, true));
    o = module("o", new Linear(be, dt, rng, name + ".o", dModel, dModel, true));
  }

  /**
   * @param x queries [B, Tq, d]
   * @param mem keys/values [B, Tk, d] (x itself for self-attention)
   * @param keyPadding null or I32 [B, Tk] (1 = real)
   */
  public Tensor forward(Tensor x, Tensor mem, Tensor keyPadding, boolean causal) {
    int b = x.dim(0), tq = x.dim(1), tk = mem.dim(1), dh = dModel / heads;
    Tensor qh = q.forward(x).reshape(b, tq, heads, dh).permute(0, 2, 1, 3);
    Tensor kh = k.forward(mem).reshape(b, tk, heads, dh).permute(0, 2, 1, 3);
    Tensor vh = v.forward(mem).reshape(b, tk, heads, dh).permute(0, 2, 1, 3);
    Tensor att = Attention.attention(qh, kh, vh, keyPadding, causal);
    return o.forward(att.permute(0, 2, 1, 3).reshape(b, tq, dModel));
  }

  // ---------------------------------------------------------------- incremental inference (no autograd needed)

  /**
   * Causal self-attention for ONE new position per row: projects only that position's query, key and
   * value, appends the key and value to the cache and attends over every cached position. Equal to
   * {@code forward(h, h, null, true)}'s last position when the cache holds the earlier positions.
   *
   * @param x [R, d] the new position's (normalised) input of each row
   */
  public Tensor forwardStep(Tensor x, KvCache cache) {
    cache.append(k.infer(x), v.infer(x), heads);
    // Each row is its own group of one: it reads only its own cached positions.
    return o.infer(Attention.decode(q.infer(x), cache.keys(), cache.values(), null, heads, false));
  }

  /** The keys and values of a memory [G, Tk, d], projected once for every row that will read it. */
  public AttentionMemory projectMemory(Tensor mem, Tensor keyPadding) {
    int g = mem.dim(0), tk = mem.dim(1), dh = dModel / heads;
    // Keys transposed, [G, H, Dh, Tk]: the layout decode attention reads, made once for every step that reads it.
    Tensor kh = k.infer(mem).reshape(g, tk, heads, dh).permute(0, 2, 3, 1).contiguous();
    Tensor vh = v.infer(mem).reshape(g, tk, heads, dh).permute(0, 2, 1, 3).contiguous();
    return new AttentionMemory(kh, vh, keyPadding);
  }

  /** The query projection of rows x [G * slots, d], heads side by side in each row as {@link #attendMemory} reads them. */
  public Tensor queryRows(Tensor x) {
    return q.infer(x);
  }

  /**
   * Attention of projected query rows [R, d] over the shared memory, through the output projection: [R, d]. Row r reads
   * memory r / (R / G) when groupStart is null, else the memory g with groupStart[g] <= r < groupStart[g + 1].
   */
  public Tensor attendMemory(Tensor queryRows, AttentionMemory mem, int[] groupStart) {
    // Attention.decode rejects rows that do not split into the memory's groups.
    return o.infer(Attention.decode(queryRows, mem.keys(), mem.values(), mem.padding(), heads, true, groupStart));
  }

  /** Cross-attention of rows x [R, d] over the shared memory, rows grouped as {@link #attendMemory} reads them: [R, d]. */
  public Tensor forwardMemory(Tensor x, AttentionMemory mem, int[] groupStart) {
    return attendMemory(queryRows(x), mem, groupStart);
  }

  /** Cross-attention of rows x [G * slots, d] over the shared memory, {@code slots} consecutive rows per memory: [G * slots, d]. */
  public Tensor forwardMemory(Tensor x, AttentionMemory mem) {
    return forwardMemory(x, mem, null);
  }
}
