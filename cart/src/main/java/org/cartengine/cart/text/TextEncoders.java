package org.cartengine.cart.text;

import org.cartengine.engine.backend.Backend;

/** The pretrained text encoders a run can use, by their CLI names. */
public final class TextEncoders {
  /** all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0), 6-layer BERT, 384-d, run on our engine. */
  public static final String MINILM = "minilm";
  /** No pretrained encoder: every text tower is trained from scratch on the train captions. */
  public static final String SCRATCH = "scratch";

  private TextEncoders() {}

  /** The encoder named {@code name} on {@code be}, or null for {@link #SCRATCH}. */
  public static TextEmbedder load(String name, Backend be) {
    return switch (name) {
      case SCRATCH -> null;
      case MINILM -> MiniLm.load(be);
      default -> throw new IllegalArgumentException("--text-encoder: unknown encoder '" + name + "' (known: " + MINILM + ", " + SCRATCH + ")");
    };
  }
}
