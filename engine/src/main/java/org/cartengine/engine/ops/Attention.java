package org.cartengine.engine.ops;

import static org.cartengine.engine.autograd.Autograd.accumulate;
import static org.cartengine.engine.autograd.Autograd.record;

import org.cartengine.engine.DType;
import org.cartengine.engine.Shape;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;

/**
 * Scaled dot-product attention as ONE op with its own backward (not composed from matmul/softmax):
 * softmax(q k^T * scale + mask) v per batch and head. The backward recomputes the probabilities from
 * the saved log-sum-exp, as flash attention does, so nothing of size Tq x Tk is stored.
 */
public final class Attention {
  private Attention() {}

  /**
   * @param q [B, H, Tq, D]
   * @param k [B, H, Tk, D]
   * @param v [B, H, Tk, D]
   * @param keyPadding null or I32 [B, Tk], 1 = real key, 0 = padding (gets zero weight, zero gradient)
   * @param causal query i sees keys j <= i (aligned at the end when Tq != Tk)
   */
  public static Tensor attention(Tensor q, Tensor k, Tensor v, Tensor keyPadding, boolean causal) {
    Elementwise.sameBackend("attention", q, k);
    Elementwise.sameBackend("attention", q, v);
    if (q.rank() != 4 || k.rank() != 4 || v.rank() != 4) throw new IllegalArgumentException("attention: q, k, v must be [B, H, T, D], got " + Shape.str(q.shape()) + ", " + Shape.str(k.shape()) + ", " + Shape.str(v.shape()));
    int b = q.dim(0), h = q.dim(1), tq = q.dim(2), d = q.dim(3), tk = k.dim(2);
    if (k.dim(0) != b || k.dim(1) != h || k.dim(3) != d || !java.util.Arrays.equals(k.shape(), v.shape()))
      throw new IllegalArgumentException("attention: shapes q " + Shape.str(q.shape()) + ", k " + Shape.str(k.shape()) + ", v " + Shape.str(v.shape()) + " do not agree");
    if (keyPadding != null && (keyPadding.dtype() != DType.I32 || keyPadding.rank() != 2 || keyPadding.dim(0) != b || keyPadding.dim(1) != tk))
      throw new IllegalArgumentException("attention: key padding mask must be I32 [" + b + ", " + tk + "], got " + keyPadding.dtype() + " " + Shape.str(keyPadding.shape()));
    double scale = 1.0 / Math.sqrt(d);
    Backend be = q.backend();
    Tensor qc = Views.contiguous(q), kc = Views.contiguous(k), vc = Views.contiguous(v);
    Tensor mc = keyPadding == null ? null : Views.contiguous(keyPadding);
    Tensor out = Tensor.zeros(be, q.dtype(), b, h, tq, d);
    Tensor lse = Tensor.zeros(be, q.dtype(), b, h, tq);
    be.attention(qc.buffer(), kc.buffer(), vc.buffer(), mc == null ? null : mc.buffer(), out.buffer(), lse.buffer(), b, h, tq, tk, d, scale, causal);
    return record(out, "attention", g -> {
      Tensor gc = Views.contiguous(g);
      Tensor dq = Tensor.zeros(be, q.dtype(), q.shape()), dk = Tensor.zeros(be, q.dtype(), k.shape()), dv = Tensor.zeros(be, q.dtype(), v.shape());
      be.attentionBackward(qc.buffer(), kc.buffer(), vc.buffer(), mc == null ? null : mc.buffer(), out.buffer(), lse.buffer(), gc.buffer(),
          dq.buffer(), dk.buffer(), dv.buffer(), b, h, tq, tk, d, scale, causal);
      accumulate(q, dq);
      accumulate(k, dk);
      accumulate(v, dv);
    }, q, k, v);
  }

  /**
   * Attention of decoding rows over the memory of their group, for a search (paper eq. 6 decoded one position at a
   * time): row g * S + s of q [G * S, H * D] reads the keys and values of group g, and the result keeps the rows'
   * layout, [G * S, H * D], so neither q nor the output is permuted to heads first and back. Equals {@link #attention}
   * of q read as [G, S, H, D] permuted to [G, H, S, D], permuted back. Under autograd with an input that needs a
   * gradient it is computed that way (the fused kernel has no backward).
   *
   * @param k [G, H, D, Tk] when keysTransposed (a memory read by many steps transposes its keys once), else [G, H, Tk, D]
   * @param v [G, H, Tk, D]
   * @param keyPadding null or I32 [G, Tk], 1 = real key
   */
  public static Tensor decode(Tensor q, Tensor k, Tensor v, Tensor keyPadding, int heads, boolean keysTransposed) {
    return decode(q, k, v, keyPadding, heads, keysTransposed, null);
  }

  /**
   * As above, the rows split into groups unevenly: group g owns rows groupStart[g] to groupStart[g + 1] of q
   * (groupStart has G + 1 entries, from 0 to the row count; a group may own none). A search decodes its last
   * identifier position only for the beams whose prefix branches, so each query keeps its own number of rows. Null:
   * even groups, as above. Ragged groups have no autograd path.
   */
  public static Tensor decode(Tensor q, Tensor k, Tensor v, Tensor keyPadding, int heads, boolean keysTransposed, int[] groupStart) {
    Elementwise.sameBackend("decode attention", q, k);
    Elementwise.sameBackend("decode attention", q, v);
    String kShape = keysTransposed ? "[G, H, D, Tk]" : "[G, H, Tk, D]";
    if (q.rank() != 2 || k.rank() != 4 || v.rank() != 4 || k.dim(0) != v.dim(0) || k.dim(1) != v.dim(1)
        || k.dim(keysTransposed ? 2 : 3) != v.dim(3) || k.dim(keysTransposed ? 3 : 2) != v.dim(2))
      throw new IllegalArgumentException("decode attention: q must be [R, H * D], k " + kShape + " and v [G, H, Tk, D], got "
          + Shape.str(q.shape()) + ", " + Shape.str(k.shape()) + ", " + Shape.str(v.shape()));
    int g = v.dim(0), h = v.dim(1), tk = v.dim(2), d = v.dim(3), rows = q.dim(0);
    if (h != heads || q.dim(1) != h * d || (groupStart == null && rows % g != 0))
      throw new IllegalArgumentException("decode attention: q " + Shape.str(q.shape()) + " is not rows of " + heads + " heads over " + g + " memories "
          + Shape.str(v.shape()));
    if (groupStart != null) checkGroups(groupStart, g, rows);
    if (keyPadding != null && (keyPadding.dtype() != DType.I32 || keyPadding.rank() != 2 || keyPadding.dim(0) != g || keyPadding.dim(1) != tk))
      throw new IllegalArgumentException("decode attention: key padding mask must be I32 [" + g + ", " + tk + "], got " + keyPadding.dtype() + " "
          + Shape.str(keyPadding.shape()));
    if (org.cartengine.engine.autograd.Autograd.needed(q, k, v)) {
      if (groupStart != null) throw new IllegalArgumentException("decode attention: ragged groups have no backward; call it under no-grad");
      int slots = rows / g;
      Tensor qh = q.reshape(g, slots, h, d).permute(0, 2, 1, 3);
      return attention(qh, keysTransposed ? k.permute(0, 1, 3, 2) : k, v, keyPadding, false).permute(0, 2, 1, 3).reshape(rows, h * d);
    }
    Backend be = q.backend();
    Tensor qc = Views.contiguous(q), kc = Views.contiguous(k), vc = Views.contiguous(v);
    Tensor mc = keyPadding == null ? null : Views.contiguous(keyPadding);
    Tensor out = Tensor.uninitialized(be, q.dtype(), rows, h * d);
    be.decodeAttention(qc.buffer(), kc.buffer(), vc.buffer(), mc == null ? null : mc.buffer(), out.buffer(),
        groupStart == null ? Backend.evenGroups(g, rows / g) : groupStart, h, tk, d, 1.0 / Math.sqrt(d), keysTransposed);
    return out;
  }

  private static void checkGroups(int[] groupStart, int groups, int rows) {
    if (groupStart.length != groups + 1 || groupStart[0] != 0 || groupStart[groups] != rows)
      throw new IllegalArgumentException("decode attention: group starts must run from 0 to " + rows + " rows over " + groups + " groups ("
          + (groups + 1) + " entries), got " + groupStart.length + " entries from " + (groupStart.length == 0 ? "none" : groupStart[0] + " to "
          + groupStart[groupStart.length - 1]));
    for (int i = 0; i < groups; i++)
      if (groupStart[i + 1] < groupStart[i])
        throw new IllegalArgumentException("decode attention: group starts must not decrease, got " + groupStart[i] + " then " + groupStart[i + 1]
            + " at group " + i);
  }
}
