package org.cartengine.cart.text;

import java.util.List;

/** Texts to unit-length vectors of one fixed dimension (a sentence encoder). */
public interface TextEmbedder {
  int dim();

  /** One L2-normalised row of {@link #dim()} floats per text, in order. */
  float[][] embed(List<String> texts);

  /** Layers whose per-token outputs {@link #queryFeatures} can give (0 when none). */
  default int layers() {
    return 0;
  }

  /** A short name for logs and metrics.json ("all-MiniLM-L6-v2"). */
  String name();

  /** Per-token features for the retriever's encoder on {@code be}, or null when this encoder has none. */
  default PretrainedQueryFeatures queryFeatures(org.cartengine.engine.backend.Backend be) {
    return queryFeatures(be, 1);
  }

  /** As above, with the outputs of the encoder's last {@code layers} layers. */
  default PretrainedQueryFeatures queryFeatures(org.cartengine.engine.backend.Backend be, int layers) {
    return null;
  }

  /** The tokenizer those features are read for, cutting at {@code maxLength} tokens; null when there are none. */
  default QueryTokenizer queryTokenizer(int maxLength) throws java.io.IOException {
    return null;
  }
}
