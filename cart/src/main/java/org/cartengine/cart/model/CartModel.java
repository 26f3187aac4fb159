package org.cartengine.cart.model;

import java.util.ArrayList;
import java.util.List;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.nn.CrossAttentionBlock;
import org.cartengine.engine.nn.Embedding;
import org.cartengine.engine.nn.LayerNorm;
import org.cartengine.engine.nn.Linear;
import org.cartengine.engine.nn.Module;
import org.cartengine.engine.nn.Rng;
import org.cartengine.engine.nn.StandardCrossAttention;
import org.cartengine.engine.nn.TransformerDecoderLayer;
import org.cartengine.engine.nn.TransformerEncoderLayer;
import org.cartengine.engine.ops.Views;

/**
 * The retriever: a Transformer encoder over the query and a decoder that generates the identifier
 * (k, v1, ..., vM, u) token by token (paper eq. 6).
 *
 * <p>Identifier tokens mean different things at each position (a coarse cluster, then codebook
 * entries of successive residual levels, then a collision counter), so each position i has its own
 * input embedding and its own output head: the per-step parameters theta_i of eq. (6). The decoder
 * input at position 0 is a learned start vector; at position i > 0 it is the embedding of token
 * i-1 in table i-1.
 */
public final class CartModel extends Module {
  public final CartConfig cfg;
  private final Embedding tokens;
  private final Linear textProjection;
  /** With {@link CartConfig#pretrainedLayers()}: a projection and a layer norm per pretrained layer read. */
  private final List<Linear> layerProjections = new ArrayList<>();
  private final List<LayerNorm> layerNorms = new ArrayList<>();
  private QueryFeatures features;
  private final Embedding positions;
  private final List<TransformerEncoderLayer> encoder = new ArrayList<>();
  private final List<LayerNorm> encoderNorms = new ArrayList<>();
  private final Tensor start;
  private final List<Embedding> idEmbeddings = new ArrayList<>();
  private final Embedding idPositions;
  private final List<TransformerDecoderLayer> decoder = new ArrayList<>();
  private final LayerNorm decoderNorm;
  private final List<Linear> heads = new ArrayList<>();
  private final Backend be;
  private final DType dt;

  /** The type the retriever's weights are trained in, checkpointed in and loaded in. */
  public static final DType DTYPE = DType.F32;

  public CartModel(Backend be, DType dt, Rng rng, CartConfig cfg) {
    this.cfg = cfg;
    this.be = be;
    this.dt = dt;
    int d = cfg.dModel();
    // A retriever on pretrained features learns only their projection to d_model; the rest is as from scratch.
    tokens = cfg.pretrainedText() ? null : module("tokens", new Embedding(be, dt, rng, "tokens", cfg.textVocab(), d));
    boolean layered = cfg.pretrainedLayers();
    textProjection = cfg.pretrainedText() && !layered ? module("textProjection", new Linear(be, dt, rng, "textProjection", cfg.textFeatures(), d, true)) : null;
    // The pretrained layers already carry positions and context: they replace the retriever's own encoder.
    positions = layered ? null : module("positions", new Embedding(be, dt, rng, "positions", cfg.maxQueryLength(), d));
    for (int i = 0; layered && i < cfg.textLayers(); i++) {
      layerProjections.add(module("textLayer" + i, new Linear(be, dt, rng, "textLayer" + i, cfg.textFeatures(), d, true)));
      layerNorms.add(module("textLayerNorm" + i, new LayerNorm(be, dt, d)));
    }
    for (int i = 0; !layered && i < cfg.encoderLayers(); i++) {
      encoder.add(module("encoder" + i, new TransformerEncoderLayer(be, dt, rng, "encoder" + i, d, cfg.heads(), cfg.ffn(), cfg.dropout())));
      // Pre-LN layers leave un-normalised residual streams; each layer output E_i is normalised
      // before the decoder reads it (all of them feed the fusion of eqs. 2-5).
      encoderNorms.add(module("encoderNorm" + i, new LayerNorm(be, dt, d)));
    }
    start = param("start", org.cartengine.engine.nn.Init.normal(be, dt, rng.forName("start"), 1.0 / Math.sqrt(d), 1, 1, d));
    int j = cfg.idLength();
    for (int i = 0; i + 1 < j; i++) idEmbeddings.add(module("idEmbedding" + i, new Embedding(be, dt, rng, "idEmbedding" + i, cfg.idVocab()[i], d)));
    idPositions = module("idPositions", new Embedding(be, dt, rng, "idPositions", j, d));
    for (int i = 0; i < cfg.decoderLayers(); i++) {
      CrossAttentionBlock cross = cfg.fusion()
          ? new CoarseFineFusion(be, dt, rng, "decoder" + i + ".fusion", d, cfg.heads(), cfg.memoryLayers())
          : new StandardCrossAttention(be, dt, rng, "decoder" + i + ".cross", d, cfg.heads());
      decoder.add(module("decoder" + i, new TransformerDecoderLayer(be, dt, rng, "decoder" + i, d, cfg.heads(), cfg.ffn(), cfg.dropout(), cross)));
    }
    decoderNorm = module("decoderNorm", new LayerNorm(be, dt, d));
    for (int i = 0; i < j; i++) heads.add(module("head" + i, new Linear(be, dt, rng, "head" + i, d, cfg.idVocab()[i], true)));
  }

  public Backend backend() {
    return be;
  }

  /** Encoded query: every encoder layer's (normalised) output, and the padding mask. */
  public record Encoded(List<Tensor> layers, Tensor padding) {}

  /**
   * @param ids I32 [B, T] query token ids (PAD = 0)
   * @param padding I32 [B, T], 1 = real token
   * @param pos I32 [B, T] positions 0..T-1
   */
  public Encoded encode(Tensor ids, Tensor padding, Tensor pos) {
    List<Tensor> outs = new ArrayList<>();
    if (cfg.pretrainedLayers()) {
      if (features == null) throw new IllegalStateException("the retriever reads pretrained layer features and none are attached");
      List<Tensor> f = features.layerFeatures(ids, padding);
      int skip = f.size() - cfg.textLayers(); // the features may keep more layers than this retriever reads
      for (int i = 0; i < cfg.textLayers(); i++) outs.add(layerNorms.get(i).forward(layerProjections.get(i).forward(f.get(skip + i))));
      if (!cfg.fusion()) outs = List.of(outs.get(outs.size() - 1));
      return new Encoded(outs, padding);
    }
    Tensor x = tokenInputs(ids, padding).add(positions.forward(pos));
    for (int i = 0; i < encoder.size(); i++) {
      x = encoder.get(i).forward(x, padding);
      outs.add(encoderNorms.get(i).forward(x));
    }
    if (!cfg.fusion()) outs = List.of(outs.get(outs.size() - 1));
    return new Encoded(outs, padding);
  }

  /** Attaches the pretrained features a retriever with {@code cfg.textFeatures() > 0} reads (RunDir.loadModel does). */
  public void attach(QueryFeatures f) {
    if (!cfg.pretrainedText()) throw new IllegalStateException("this retriever has its own token embeddings; it reads no pretrained features");
    if (f.dim() != cfg.textFeatures()) throw new IllegalArgumentException("pretrained features of width " + f.dim() + ", the retriever reads " + cfg.textFeatures());
    if (f.layers() < Math.max(1, cfg.textLayers()))
      throw new IllegalArgumentException("pretrained features of " + f.layers() + " layers, the retriever reads " + cfg.textLayers());
    this.features = f;
  }

  public QueryFeatures features() {
    return features;
  }

  private Tensor tokenInputs(Tensor ids, Tensor padding) {
    if (tokens != null) return tokens.forward(ids);
    if (features == null) throw new IllegalStateException("the retriever reads pretrained token features and none are attached");
    return textProjection.forward(features.features(ids, padding));
  }

  /**
   * Decoder hidden states for a known prefix of identifier tokens.
   *
   * @param prefix I32 [B, L] with L in [0, J-1]; null when L = 0
   * @return [B, L+1, d]: position i predicts identifier token i
   */
  public Tensor decode(Encoded enc, Tensor prefix, int batch) {
    int len = prefix == null ? 0 : prefix.dim(1);
    List<Tensor> parts = new ArrayList<>();
    parts.add(start.expand(batch, 1, cfg.dModel()));
    for (int i = 0; i < len; i++) parts.add(idEmbeddings.get(i).forward(prefix.slice(1, i, i + 1)));
    Tensor y = parts.size() == 1 ? parts.get(0) : Views.concat(parts, 1);
    int[] posIdx = new int[batch * (len + 1)];
    for (int b = 0; b < batch; b++) for (int i = 0; i <= len; i++) posIdx[b * (len + 1) + i] = i;
    y = y.add(idPositions.forward(Tensor.ofInts(be, posIdx, batch, len + 1)));
    for (TransformerDecoderLayer layer : decoder) y = layer.forward(y, enc.layers(), enc.padding());
    return decoderNorm.forward(y);
  }

  /**
   * Starts the no-autograd incremental decoding of eq. (6) for a batch of encoded queries: the
   * encoder memory's projections are made here, once per query (see {@link IncrementalDecoder}).
   */
  public IncrementalDecoder startDecoding(Encoded enc) {
    return new IncrementalDecoder(this, enc);
  }

  Tensor start() {
    return start;
  }

  Embedding idEmbedding(int position) {
    return idEmbeddings.get(position);
  }

  Embedding idPositions() {
    return idPositions;
  }

  List<TransformerDecoderLayer> decoderLayers() {
    return decoder;
  }

  LayerNorm decoderNorm() {
    return decoderNorm;
  }

  Linear head(int position) {
    return heads.get(position);
  }

  /** Logits [B, vocab_i] of identifier position i from decoder states [B, L+1, d]. */
  public Tensor logits(Tensor hidden, int position) {
    Tensor h = hidden.slice(1, position, position + 1).reshape(hidden.dim(0), cfg.dModel());
    return heads.get(position).forward(h);
  }
}
