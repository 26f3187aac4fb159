package org.cartengine.cart.text;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.cartengine.engine.backend.Backend;

/** all-MiniLM-L6-v2 on our engine ({@link SentenceEncoder}) as the {@link TextEmbedder} of a run. */
final class MiniLm implements TextEmbedder {
  private final SentenceEncoder encoder;

  private MiniLm(SentenceEncoder encoder) {
    this.encoder = encoder;
  }

  private static final java.util.Map<Backend, MiniLm> SHARED = new java.util.concurrent.ConcurrentHashMap<>();

  /** The process's one MiniLM embedder on {@code be} (over {@link SentenceEncoder#shared}), with its text cache. */
  static TextEmbedder load(Backend be) {
    try {
      SentenceEncoder enc = SentenceEncoder.shared(be);
      return SHARED.computeIfAbsent(be, b -> new MiniLm(enc));
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage() + " (--text-encoder " + TextEncoders.SCRATCH + " runs without it)", e);
    }
  }

  @Override
  public int dim() {
    return encoder.dim();
  }

  /**
   * Sentence embeddings already computed, by text: a run embeds its train captions for the caption space, the dual tower,
   * the caption matcher and the re-rank; each text once. Least recently used out beyond {@link #MAX_CACHED} texts (at
   * most 100,000 and a sixteenth of the heap: a server's queries must not fill it).
   */
  static final int MAX_CACHED = (int) Math.min(100_000, Runtime.getRuntime().maxMemory() / 16 / (384 * Float.BYTES + 200));

  private final java.util.LinkedHashMap<String, float[]> cache = new java.util.LinkedHashMap<>(1024, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(java.util.Map.Entry<String, float[]> eldest) {
      return size() > MAX_CACHED;
    }
  };

  @Override
  public synchronized float[][] embed(List<String> texts) {
    float[][] out = new float[texts.size()][];
    java.util.Map<String, Integer> missing = new java.util.LinkedHashMap<>();
    for (int i = 0; i < texts.size(); i++) {
      out[i] = cache.get(texts.get(i));
      if (out[i] == null) missing.putIfAbsent(texts.get(i), missing.size());
    }
    if (!missing.isEmpty()) {
      float[][] e = encoder.encode(List.copyOf(missing.keySet()));
      for (var m : missing.entrySet()) cache.put(m.getKey(), e[m.getValue()]);
      for (int i = 0; i < texts.size(); i++) if (out[i] == null) out[i] = e[missing.get(texts.get(i))];
    }
    return out;
  }

  @Override
  public int layers() {
    return encoder.layers();
  }

  @Override
  public PretrainedQueryFeatures queryFeatures(Backend be, int layers) {
    return new PretrainedQueryFeatures(encoder, be, layers);
  }

  @Override
  public QueryTokenizer queryTokenizer(int maxLength) throws IOException {
    return WordPieceTokenizer.load(ModelFiles.locate().tokenizer(), maxLength);
  }

  @Override
  public String name() {
    return "all-MiniLM-L6-v2";
  }
}
