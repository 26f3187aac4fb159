package org.cartengine.cart.model;

import java.util.ArrayList;
import java.util.List;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.ops.Embedding;
import org.cartengine.engine.nn.CrossAttentionBlock;
import org.cartengine.engine.nn.KvCache;
import org.cartengine.engine.nn.TransformerDecoderLayer;

/**
 * CART's decoder run one identifier position at a time for beam search (paper eq. 6), without
 * autograd and without recomputing the prefix:
 *
 * <ul>
 *   <li>every cross-attention's projection of the encoder memory (each decoder layer; with fusion the
 *       coarse Z and its keys/values of eqs. 2-3 and the fine keys/values of every encoder layer of
 *       eqs. 4-5) is made once per query in the constructor and read by that query's rows in place;
 *   <li>each decoder layer's self-attention keeps a per-row key/value cache, reordered by parent row
 *       after each pruning step, so a step computes only the new position.
 * </ul>
 *
 * Rows are laid out query by query, {@code slots} rows per query (row r belongs to query r / slots);
 * the caller picks slots per step (the widest query's live beams) and fills unused rows with any row
 * of the same query.
 *
 * <p>Call inside {@code Autograd.noGrad()} with the model in eval mode.
 */
public final class IncrementalDecoder {
  private final CartModel model;
  private final int queries;
  private final List<CrossAttentionBlock.Memory> memories = new ArrayList<>();
  private final List<KvCache> caches = new ArrayList<>();
  /** Decoder input of each position as a table over the previous token: its embedding plus the position's embedding. */
  private final List<Tensor> inputs = new ArrayList<>();
  private int position;

  IncrementalDecoder(CartModel model, CartModel.Encoded enc) {
    this.model = model;
    this.queries = enc.padding().dim(0);
    for (TransformerDecoderLayer layer : model.decoderLayers()) {
      memories.add(layer.cross.prepare(enc.layers(), enc.padding()));
      caches.add(new KvCache());
    }
    int d = model.cfg.dModel();
    Tensor pos = model.idPositions().weight;
    inputs.add(model.start().reshape(1, d).add(pos.slice(0, 0, 1)));
    for (int p = 1; p < model.cfg.idLength(); p++) inputs.add(model.idEmbedding(p - 1).weight.add(pos.slice(0, p, p + 1)));
  }

  /** Identifier position the next {@link #step} predicts. */
  public int position() {
    return position;
  }

  /**
   * Decodes one position and returns its logits [queries * slots, vocab_position].
   *
   * @param parent I32 [queries * slots]: the row of the previous step each row continues (null at position 0,
   *     where each query has one row); must stay within the row's query
   * @param tokens I32 [queries * slots]: the identifier token each row appended at the previous position (null at position 0)
   */
  public Tensor step(Tensor parent, Tensor tokens) {
    return step(parent, tokens, null);
  }

  /**
   * As above, with query g owning rows groupStart[g] to groupStart[g + 1] of this step (queries + 1 entries; a query may
   * own none), so each query decodes only the rows it needs; null: the same number of rows per query. Logits [rows, vocab].
   */
  public Tensor step(Tensor parent, Tensor tokens, int[] groupStart) {
    CartConfig cfg = model.cfg;
    if (position >= cfg.idLength()) throw new IllegalStateException("IncrementalDecoder: all " + cfg.idLength() + " positions decoded");
    Tensor y;
    if (position == 0) {
      if (parent != null || tokens != null || groupStart != null) throw new IllegalArgumentException("IncrementalDecoder: position 0 has no parent rows");
      y = Embedding.lookup(inputs.get(0), Tensor.zeros(model.backend(), DType.I32, queries));
    } else {
      if (parent == null || tokens == null || parent.numel() != tokens.numel() || (groupStart == null && parent.numel() % queries != 0))
        throw new IllegalArgumentException("IncrementalDecoder: position " + position + " needs parent rows and tokens for every row, grouped by query");
      // Group starts that do not cover the rows over the queries' memories are refused by Attention.decode.
      y = Embedding.lookup(inputs.get(position), tokens);
      for (KvCache c : caches) c.reorder(parent);
    }
    List<TransformerDecoderLayer> layers = model.decoderLayers();
    for (int l = 0; l < layers.size(); l++) y = layers.get(l).forwardStep(y, caches.get(l), memories.get(l), groupStart);
    return model.head(position++).infer(model.decoderNorm().forward(y));
  }
}
