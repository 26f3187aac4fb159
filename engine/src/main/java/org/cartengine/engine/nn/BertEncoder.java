package org.cartengine.engine.nn;

import java.util.ArrayList;
import java.util.List;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;

/**
 * A BERT encoder (Devlin et al. 2019) shaped to take pretrained weights: word + position + token-type embeddings,
 * their layer norm, then post-LN layers ({@link BertLayer}) with the exact (erf) GELU. Parameters start random, or
 * zeros when rng is null (drawing 22M random numbers that a checkpoint overwrites took most of the load time); a
 * loader assigns the checkpoint's values ({@link Module#assign}).
 */
public final class BertEncoder extends Module {
  /** Hyper-parameters of a checkpoint; {@code eps} is the layer norms' epsilon (1e-12 in BERT). */
  public record Config(int vocab, int hidden, int layers, int heads, int ffn, int maxPositions, int typeVocab, double eps) {
    /** sentence-transformers/all-MiniLM-L6-v2. */
    public static final Config MINI_LM_L6 = new Config(30522, 384, 6, 12, 1536, 512, 2, 1e-12);
  }

  public final Config config;
  public final Embedding words;
  public final Embedding positions;
  public final Embedding types;
  public final LayerNorm embeddingNorm;
  public final List<BertLayer> layers = new ArrayList<>();
  private final Backend be;

  public BertEncoder(Backend be, DType dt, Rng rng, Config c) {
    this.be = be;
    this.config = c;
    words = module("words", new Embedding(be, dt, rng, "words", c.vocab(), c.hidden()));
    positions = module("positions", new Embedding(be, dt, rng, "positions", c.maxPositions(), c.hidden()));
    types = module("types", new Embedding(be, dt, rng, "types", c.typeVocab(), c.hidden()));
    embeddingNorm = module("embeddingNorm", new LayerNorm(be, dt, c.hidden(), c.eps()));
    for (int i = 0; i < c.layers(); i++) layers.add(module("layers." + i, new BertLayer(be, dt, rng, "layers." + i, c.hidden(), c.heads(), c.ffn(), c.eps())));
  }

  /** The embedding output [B, T, d] of token ids [B, T] (I32); typeIds null means all type 0. */
  public Tensor embed(Tensor ids, Tensor typeIds) {
    int b = ids.dim(0), t = ids.dim(1);
    if (t > config.maxPositions()) throw new IllegalArgumentException("BertEncoder: " + t + " tokens, the model has " + config.maxPositions() + " positions");
    int[] pos = new int[t];
    for (int i = 0; i < t; i++) pos[i] = i;
    Tensor p = positions.forward(Tensor.ofInts(be, pos, 1, t));
    Tensor ty = typeIds != null ? types.forward(typeIds) : types.forward(Tensor.ofInts(be, new int[1], 1, 1));
    return embeddingNorm.forward(words.forward(ids).add(ty).add(p));
  }

  /**
   * Every hidden state: the embedding output, then each layer's output, each [B, T, d].
   *
   * @param padding null or I32 [B, T] with 1 = real token (padding keys get zero attention weight)
   * @param infer true in a no-grad scope: the inference GEMMs with folded biases
   */
  public List<Tensor> hiddenStates(Tensor ids, Tensor typeIds, Tensor padding, boolean infer) {
    List<Tensor> out = new ArrayList<>();
    Tensor x = embed(ids, typeIds);
    out.add(x);
    for (BertLayer l : layers) {
      x = infer ? l.infer(x, padding) : l.forward(x, padding);
      out.add(x);
    }
    return out;
  }

  /** The last hidden state [B, T, d]. */
  public Tensor forward(Tensor ids, Tensor typeIds, Tensor padding) {
    List<Tensor> h = hiddenStates(ids, typeIds, padding, false);
    return h.get(h.size() - 1);
  }
}
