package org.cartengine.cart.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cartengine.cart.model.QueryFeatures;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;

/**
 * The last hidden layer (or the last few) of the frozen all-MiniLM-L6-v2 for each query token, as the retriever's input
 * ({@link QueryFeatures}). The encoder is frozen, so a sequence's features never change: they are computed once per
 * distinct token sequence and kept (least recently used out first beyond {@link #MAX_CACHED_FLOATS}), so that an epoch
 * over the train captions runs the pretrained encoder only on its first sight of each caption ({@link #warm} before
 * training), and a training step costs what the retriever's own layers cost.
 */
public final class PretrainedQueryFeatures implements QueryFeatures {
  /**
   * Cache bound: an eighth of the heap, at most 64M floats (256 MB, about 20,000 captions of 8 tokens): all of a training
   * set's captions fit with the default heap, and a server in a small heap keeps room for its work.
   */
  public static final long MAX_CACHED_FLOATS = Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 8 / Float.BYTES);

  private final SentenceEncoder encoder;
  private final Backend be;
  /** Layers kept per sequence (the last ones), layer by layer in each cached row. */
  private final int layers;
  private long cachedFloats;
  private final LinkedHashMap<SentenceEncoder.TokenIds, float[]> cache = new LinkedHashMap<>(1024, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<SentenceEncoder.TokenIds, float[]> eldest) {
      if (cachedFloats <= MAX_CACHED_FLOATS) return false;
      cachedFloats -= eldest.getValue().length;
      return true;
    }
  };

  public PretrainedQueryFeatures(SentenceEncoder encoder, Backend be) {
    this(encoder, be, 1);
  }

  /** Features of the encoder's last {@code layers} layers (1: the last hidden layer only). */
  public PretrainedQueryFeatures(SentenceEncoder encoder, Backend be, int layers) {
    if (layers < 1 || layers > encoder.layers()) throw new IllegalArgumentException("layers must be in [1, " + encoder.layers() + "], got " + layers);
    this.encoder = encoder;
    this.be = be;
    this.layers = layers;
  }

  @Override
  public int layers() {
    return layers;
  }

  @Override
  public int dim() {
    return encoder.dim();
  }

  /** Computes the features of {@code queries} (each cut to {@code maxLength} tokens, as QueryBatch cuts) ahead of use. */
  public synchronized void warm(List<int[]> queries, int maxLength) {
    List<int[]> cut = new ArrayList<>(queries.size());
    for (int[] q : queries) cut.add(q.length > maxLength ? Arrays.copyOf(q, maxLength) : q);
    lookup(cut);
  }

  /** Runs the encoder on the rows not cached yet, so that {@link #features} of them (or of a slice) reads the cache. */
  @Override
  public synchronized void prepare(Tensor ids, Tensor padding) {
    lookup(rowsOf(ids, padding));
  }

  @Override
  public synchronized Tensor features(Tensor ids, Tensor padding) {
    return layers(ids, padding, layers - 1, layers).get(0);
  }

  @Override
  public synchronized List<Tensor> layerFeatures(Tensor ids, Tensor padding) {
    return layers(ids, padding, 0, layers);
  }

  /** Tensors [B, T, dim] of the kept layers from..to-1 (0 = the earliest kept), zero at padding. */
  private List<Tensor> layers(Tensor ids, Tensor padding, int from, int to) {
    int b = ids.dim(0), t = ids.dim(1), d = dim();
    List<int[]> rows = rowsOf(ids, padding);
    List<float[]> f = lookup(rows);
    List<Tensor> out = new ArrayList<>(to - from);
    for (int l = from; l < to; l++) {
      float[] x = new float[b * t * d];
      for (int i = 0; i < b; i++) {
        int len = rows.get(i).length * d;
        if (f.get(i).length > 0) System.arraycopy(f.get(i), l * len, x, i * t * d, len);
      }
      out.add(Tensor.of(be, x, b, t, d));
    }
    return out;
  }

  /** Each row's real tokens (those before its padding). */
  private static List<int[]> rowsOf(Tensor ids, Tensor padding) {
    int b = ids.dim(0), t = ids.dim(1);
    int[] id = ids.toIntArray(), pad = padding.toIntArray();
    List<int[]> rows = new ArrayList<>(b);
    for (int i = 0; i < b; i++) {
      int n = 0;
      while (n < t && pad[i * t + n] == 1) n++;
      rows.add(Arrays.copyOfRange(id, i * t, i * t + n));
    }
    return rows;
  }

  /** Features of each sequence, computing the missing ones in one pass of the encoder. */
  private List<float[]> lookup(List<int[]> seqs) {
    List<float[]> out = new ArrayList<>(seqs.size());
    List<int[]> missing = new ArrayList<>();
    Map<SentenceEncoder.TokenIds, Integer> pending = new LinkedHashMap<>();
    for (int[] s : seqs) {
      SentenceEncoder.TokenIds k = new SentenceEncoder.TokenIds(s);
      float[] v = cache.get(k);
      out.add(v);
      if (v == null && s.length > 0 && !pending.containsKey(k)) {
        pending.put(k, missing.size());
        missing.add(s);
      }
    }
    if (!missing.isEmpty()) {
      float[][] h = encoder.hiddenIds(missing, layers);
      for (Map.Entry<SentenceEncoder.TokenIds, Integer> e : pending.entrySet()) {
        cache.put(e.getKey(), h[e.getValue()]);
        cachedFloats += h[e.getValue()].length;
      }
      for (int i = 0; i < seqs.size(); i++) {
        if (out.get(i) != null) continue;
        Integer at = pending.get(new SentenceEncoder.TokenIds(seqs.get(i)));
        out.set(i, at == null ? new float[0] : h[at]);
      }
    }
    return out;
  }
}
