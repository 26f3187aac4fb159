package org.cartengine.cart.search;

import java.util.List;
import org.cartengine.cart.text.CaptionSpace;
import org.cartengine.cart.text.TextEmbedder;

/**
 * The pretrained sentence encoder as a re-rank tower: a query's embedding against each candidate's caption-space vector
 * (the mean embedding of the item's train captions, {@link CaptionSpace}). Nothing is trained; the scale of its logits is a
 * fixed temperature, and the re-rank weight chosen on val absorbs it.
 */
public final class CaptionTower implements QueryTower {
  /** cos / 0.05: a spread of a few tenths of cosine becomes a few nats, the scale of the beam's log-probabilities. */
  public static final double TEMPERATURE = 0.05;

  private final TextEmbedder encoder;
  private final CaptionSpace.Space space;

  public CaptionTower(TextEmbedder encoder, CaptionSpace.Space space) {
    if (encoder.dim() != space.dim()) throw new IllegalArgumentException("encoder dim " + encoder.dim() + " != caption space dim " + space.dim());
    this.encoder = encoder;
    this.space = space;
  }

  public CaptionSpace.Space space() {
    return space;
  }

  public TextEmbedder encoder() {
    return encoder;
  }

  @Override
  public double[][] candidateCosines(List<String> texts, List<int[]> queries, int[][] candidates, int batch) {
    double[][] out = new double[texts.size()][];
    for (int s = 0; s < texts.size(); s += batch) {
      List<String> qs = texts.subList(s, Math.min(texts.size(), s + batch));
      float[][] qv = encoder.embed(qs);
      for (int i = 0; i < qs.size(); i++) out[s + i] = QueryTower.dots(qv[i], 0, space.dim(), space.vectors(), candidates[s + i]);
    }
    return out;
  }

  @Override
  public double temperature() {
    return TEMPERATURE;
  }
}
