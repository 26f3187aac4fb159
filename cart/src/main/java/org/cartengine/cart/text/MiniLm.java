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

  static TextEmbedder load(Backend be) {
    try {
      return new MiniLm(SentenceEncoder.load(be));
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage() + " (--text-encoder " + TextEncoders.SCRATCH + " runs without it)", e);
    }
  }

  @Override
  public int dim() {
    return encoder.dim();
  }

  @Override
  public float[][] embed(List<String> texts) {
    return encoder.encode(texts);
  }

  @Override
  public PretrainedQueryFeatures queryFeatures(Backend be) {
    return new PretrainedQueryFeatures(encoder, be);
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
