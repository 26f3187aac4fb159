package org.cartengine.cart.text;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.autograd.Autograd;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;
import org.cartengine.engine.backend.BufferScope;
import org.cartengine.engine.io.OnnxModel;
import org.cartengine.engine.nn.BertEncoder;
import org.cartengine.engine.ops.Elementwise;

/**
 * The pretrained sentence encoder all-MiniLM-L6-v2 (Reimers and Gurevych 2019; 6-layer MiniLM distilled from BERT,
 * trained contrastively on 1B sentence pairs) on our engine: WordPiece tokens, a {@link BertEncoder}, mean pooling
 * over the real tokens and L2 normalisation, as sentence-transformers computes it. Inference only, on any backend.
 * Model files: {@link ModelFiles}.
 */
public final class SentenceEncoder {
  /** Texts per forward pass: sorted by length first, so a batch pads to similar lengths. */
  public static final int BATCH = 64;

  /**
   * Sentence embeddings by token sequence, least recently used out beyond {@link #MAX_POOLED} (at most 50,000 and a
   * thirty-second of the heap). Every forward pass fills it, whichever caller asked for it, so a query whose per-token
   * features the retriever just computed ({@link #hiddenIds}) gets its sentence embedding for the re-rank without a
   * second pass of the encoder: on a server that pass was half of an unseen query's time.
   */
  static final int MAX_POOLED = (int) Math.min(50_000, Runtime.getRuntime().maxMemory() / 32 / (384 * Float.BYTES + 200));

  private final java.util.LinkedHashMap<TokenIds, float[]> pooled = new java.util.LinkedHashMap<>(1024, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(java.util.Map.Entry<TokenIds, float[]> eldest) {
      return size() > MAX_POOLED;
    }
  };

  /** Sequences run through the encoder since it was loaded (for tests and statistics). */
  private final java.util.concurrent.atomic.AtomicLong encodedSequences = new java.util.concurrent.atomic.AtomicLong();

  private final BertEncoder bert;
  private final WordPieceTokenizer tokenizer;
  private final Backend be;
  private final DType dt;

  private SentenceEncoder(BertEncoder bert, WordPieceTokenizer tokenizer, Backend be, DType dt) {
    this.bert = bert;
    this.tokenizer = tokenizer;
    this.be = be;
    this.dt = dt;
  }

  private static final java.util.Map<Backend, SentenceEncoder> SHARED = new java.util.HashMap<>();

  /**
   * The process's one float32 encoder on {@code be}, loaded on first use. The retriever's query features, the re-rank's
   * towers and the caption-space guide all read the same weights (about 90 MB) and the same embedding cache, so a
   * query runs through the encoder once, whichever of them asks first. The encoder is frozen and its inference keeps
   * no state between calls, so callers on different threads may share it.
   */
  public static synchronized SentenceEncoder shared(Backend be) throws IOException {
    SentenceEncoder e = SHARED.get(be);
    if (e == null) SHARED.put(be, e = load(be));
    return e;
  }

  /** On the default backend ({@link Backends#get}) in float32. */
  public static SentenceEncoder load() throws IOException {
    return load(Backends.get());
  }

  public static SentenceEncoder load(Backend be) throws IOException {
    return load(ModelFiles.locate(), be, DType.F32);
  }

  public static SentenceEncoder load(ModelFiles files, Backend be, DType dt) throws IOException {
    WordPieceTokenizer tok = WordPieceTokenizer.load(files.tokenizer());
    OnnxModel onnx = OnnxModel.read(files.onnx());
    BertEncoder bert = new BertEncoder(be, dt, null, BertEncoder.Config.MINI_LM_L6);
    bert.train(false);
    BertOnnxWeights.load(onnx, bert, files.onnx());
    for (Tensor p : bert.parameters().values()) p.requiresGrad(false);
    bert.keepTransposedForInference(); // frozen from here on
    return new SentenceEncoder(bert, tok, be, dt);
  }

  public int dim() {
    return bert.config.hidden();
  }

  public WordPieceTokenizer tokenizer() {
    return tokenizer;
  }

  public BertEncoder bert() {
    return bert;
  }

  /** L2-normalised mean-pooled embeddings [texts.size()][384], in input order. */
  public float[][] encode(List<String> texts) {
    List<int[]> ids = new ArrayList<>(texts.size());
    for (String t : texts) ids.add(tokenizer.encode(t));
    return encodeIds(ids);
  }

  /** {@link #encode} of texts already tokenized ([CLS] ... [SEP]); sequences embedded before come from the cache. */
  public float[][] encodeIds(List<int[]> ids) {
    float[][] out = new float[ids.size()][];
    List<int[]> missing = new ArrayList<>();
    List<Integer> at = new ArrayList<>();
    synchronized (pooled) {
      for (int i = 0; i < ids.size(); i++) {
        float[] v = pooled.get(new TokenIds(ids.get(i)));
        if (v != null) out[i] = v.clone();
        else {
          missing.add(ids.get(i));
          at.add(i);
        }
      }
    }
    if (missing.isEmpty()) return out;
    float[][] fresh = new float[missing.size()][];
    inSortedBatches(missing, (rows, b, hidden, emb) -> {
      for (int r = 0; r < rows.length; r++) fresh[rows[r]] = emb[r];
    });
    for (int j = 0; j < fresh.length; j++) out[at.get(j)] = fresh[j].clone();
    return out;
  }

  /** Sequences run through the encoder since it was loaded. */
  public long encodedSequences() {
    return encodedSequences.get();
  }

  /**
   * The last layer's hidden states of token sequences already tokenized: row i holds ids.get(i).length x 384 floats,
   * token-major (the per-token features of {@link PretrainedQueryFeatures}).
   */
  /** The encoder's number of layers (hidden states after the embedding output). */
  public int layers() {
    return bert.config.layers();
  }

  public float[][] lastHiddenIds(List<int[]> ids) {
    return hiddenIds(ids, 1);
  }

  /**
   * The outputs of the last {@code layers} layers for each sequence of token ids, layer by layer: row i holds
   * {@code layers x ids.get(i).length x dim} floats (the last layer last), no padding.
   */
  public float[][] hiddenIds(List<int[]> ids, int layers) {
    if (layers < 1 || layers > layers()) throw new IllegalArgumentException("layers must be in [1, " + layers() + "], got " + layers);
    int d = dim();
    float[][] out = new float[ids.size()][];
    inSortedBatches(ids, (rows, b, hidden, emb) -> {
      int t = b.ids.dim(1);
      for (int r = 0; r < rows.length; r++) out[rows[r]] = new float[layers * ids.get(rows[r]).length * d];
      for (int l = 0; l < layers; l++) {
        float[] e = hidden.get(hidden.size() - layers + l).toFloatArray();
        for (int r = 0; r < rows.length; r++) {
          int len = ids.get(rows[r]).length;
          System.arraycopy(e, r * t * d, out[rows[r]], l * len * d, len * d);
        }
      }
    });
    return out;
  }

  private interface BatchSink {
    /** One batch: its rows (indices into the caller's list), its tensors, every hidden state, and each row's sentence embedding. */
    void accept(int[] rows, Batch b, List<Tensor> hidden, float[][] embeddings);
  }

  /** A token sequence as a map key (by content); the caches of this package key sequences by it. */
  record TokenIds(int[] ids) {
    @Override
    public boolean equals(Object o) {
      return o instanceof TokenIds k && Arrays.equals(ids, k.ids);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(ids);
    }
  }

  /**
   * Every sequence through the encoder, in batches of {@link #BATCH} sorted by length (so a batch pads little), no
   * autograd; each batch's sentence embeddings (mean pool of the last layer, L2-normalised) are computed and cached.
   */
  private void inSortedBatches(List<int[]> ids, BatchSink sink) {
    int n = ids.size();
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) order[i] = i;
    Arrays.sort(order, Comparator.comparingInt(i -> ids.get(i).length));
    for (int from = 0; from < n; from += BATCH) {
      int[] rows = new int[Math.min(BATCH, n - from)];
      for (int r = 0; r < rows.length; r++) rows[r] = order[from + r];
      try (var ng = Autograd.noGrad(); BufferScope scope = BufferScope.open()) {
        Batch b = batch(ids, rows);
        List<Tensor> h = bert.hiddenStates(b.ids, null, b.padding, true);
        encodedSequences.addAndGet(rows.length);
        int d = dim();
        float[] e = l2Normalize(meanPool(h.get(h.size() - 1), b.maskF)).toFloatArray();
        float[][] emb = new float[rows.length][];
        for (int r = 0; r < rows.length; r++) emb[r] = Arrays.copyOfRange(e, r * d, (r + 1) * d);
        synchronized (pooled) {
          for (int r = 0; r < rows.length; r++) pooled.put(new TokenIds(ids.get(rows[r]).clone()), emb[r]);
        }
        sink.accept(rows, b, h, emb);
      }
    }
  }

  /**
   * Every hidden state of one batch of texts, in input order, padded to the longest: the embedding output and each
   * layer's output [B, T, 384], with the padding mask I32 [B, T] (1 = real token) and each text's token count. The
   * tensors live on the encoder's backend and belong to the caller (for the decoder's fusion of encoder layers).
   */
  public HiddenStates hiddenStates(List<String> texts) {
    List<int[]> ids = new ArrayList<>();
    for (String t : texts) ids.add(tokenizer.encode(t));
    int[] rows = new int[ids.size()], lengths = new int[ids.size()];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = i;
      lengths[i] = ids.get(i).length;
    }
    try (var ng = Autograd.noGrad()) {
      Batch b = batch(ids, rows);
      return new HiddenStates(bert.hiddenStates(b.ids, null, b.padding, true), b.padding, lengths);
    }
  }

  /** All hidden states of a batch: layers.get(0) is the embedding output, layers.get(l) layer l's output. */
  public record HiddenStates(List<Tensor> layers, Tensor padding, int[] lengths) {}

  private record Batch(Tensor ids, Tensor padding, Tensor maskF) {}

  private Batch batch(List<int[]> ids, int[] rows) {
    int t = 0;
    for (int r : rows) t = Math.max(t, ids.get(r).length);
    int[] flat = new int[rows.length * t], mask = new int[rows.length * t];
    double[] maskF = new double[rows.length * t];
    Arrays.fill(flat, tokenizer.pad);
    for (int r = 0; r < rows.length; r++) {
      int[] x = ids.get(rows[r]);
      System.arraycopy(x, 0, flat, r * t, x.length);
      for (int j = 0; j < x.length; j++) {
        mask[r * t + j] = 1;
        maskF[r * t + j] = 1;
      }
    }
    return new Batch(Tensor.ofInts(be, flat, rows.length, t), Tensor.ofInts(be, mask, rows.length, t), Tensor.of(be, dt, maskF, rows.length, t));
  }

  /** Mean over the real tokens: sum_t h[b, t] m[b, t] / sum_t m[b, t], for h [B, T, d] and mask [B, T] of 0/1. */
  static Tensor meanPool(Tensor h, Tensor mask) {
    Tensor summed = h.mul(mask.unsqueeze(2)).sum(1, false);
    return summed.div(mask.sum(1, true));
  }

  /** x / max(|x|, 1e-12) row-wise, as torch.nn.functional.normalize. */
  static Tensor l2Normalize(Tensor x) {
    Tensor norm = x.mul(x).sum(1, true).sqrt();
    return x.div(Elementwise.maximum(norm, Tensor.scalar(x.backend(), x.dtype(), 1e-12)));
  }
}
