package org.cartengine.cart.model;

import com.google.gson.Gson;

/**
 * Sizes of the retriever. Defaults are chosen for a 2-core CPU run on the embedded dataset; the
 * paper's model (appendix C) uses 3 encoder and 3 decoder layers as well (Tables 5 and 10).
 *
 * @param idVocab vocabulary size of each identifier position (k, v1..vM, u)
 * @param fusion coarse + fine fusion (paper 3.4); false = vanilla cross-attention to the last encoder layer (Table 4 "w/o fusion")
 * @param textFeatures width of the frozen pretrained token features the encoder reads instead of its own token
 *     embeddings ({@link QueryFeatures}; 384 for all-MiniLM-L6-v2), 0 = its own embeddings trained from scratch
 */
public record CartConfig(int textVocab, int[] idVocab, int dModel, int heads, int ffn, int encoderLayers, int decoderLayers,
    double dropout, int maxQueryLength, boolean fusion, int textFeatures) {

  /** With the encoder's own token embeddings. */
  public CartConfig(int textVocab, int[] idVocab, int dModel, int heads, int ffn, int encoderLayers, int decoderLayers, double dropout,
      int maxQueryLength, boolean fusion) {
    this(textVocab, idVocab, dModel, heads, ffn, encoderLayers, decoderLayers, dropout, maxQueryLength, fusion, 0);
  }

  public boolean pretrainedText() {
    return textFeatures > 0;
  }

  public int idLength() {
    return idVocab.length;
  }

  public String toJson() {
    return new Gson().toJson(this);
  }

  public static CartConfig fromJson(String json) {
    return new Gson().fromJson(json, CartConfig.class);
  }
}
