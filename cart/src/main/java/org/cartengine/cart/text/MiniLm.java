package org.cartengine.cart.text;

import java.util.List;
import org.cartengine.engine.backend.Backend;

/** all-MiniLM-L6-v2 on our engine, as a {@link TextEmbedder}. */
final class MiniLm implements TextEmbedder {
  static TextEmbedder load(Backend be) {
    throw new UnsupportedOperationException("all-MiniLM-L6-v2 is not available in this build");
  }

  @Override
  public int dim() {
    return 384;
  }

  @Override
  public float[][] embed(List<String> texts) {
    throw new UnsupportedOperationException();
  }

  @Override
  public String name() {
    return "all-MiniLM-L6-v2";
  }
}
