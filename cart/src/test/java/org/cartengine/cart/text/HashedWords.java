package org.cartengine.cart.text;

import java.util.List;
import java.util.Locale;

/** A stand-in sentence encoder for tests: a bag of hashed words, L2-normalised (texts sharing words are close). */
public final class HashedWords implements TextEmbedder {
  private final int dim;

  public HashedWords(int dim) {
    this.dim = dim;
  }

  @Override
  public int dim() {
    return dim;
  }

  @Override
  public float[][] embed(List<String> texts) {
    float[][] out = new float[texts.size()][dim];
    for (int i = 0; i < texts.size(); i++) {
      for (String w : texts.get(i).toLowerCase(Locale.ROOT).split("\\W+")) if (!w.isEmpty()) out[i][Math.floorMod(w.hashCode(), dim)] += 1;
      double s = 0;
      for (float v : out[i]) s += v * v;
      if (s > 0) for (int j = 0; j < dim; j++) out[i][j] /= (float) Math.sqrt(s);
    }
    return out;
  }

  @Override
  public String name() {
    return "hashed-words";
  }
}
