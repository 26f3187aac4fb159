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
 * @param textLayers with pretrained features: 0 = the retriever's own encoder layers read the last pretrained layer; L > 0 =
 *     the pretrained encoder's last L layers, each through its own projection to d_model, are the encoder layers E_1..E_L of
 *     the fusion (eqs. 2-5) and the retriever has no encoder of its own
 */
public record CartConfig(int textVocab, int[] idVocab, int dModel, int heads, int ffn, int encoderLayers, int decoderLayers,
    double dropout, int maxQueryLength, boolean fusion, int textFeatures, int textLayers) {

  public CartConfig(int textVocab, int[] idVocab, int dModel, int heads, int ffn, int encoderLayers, int decoderLayers, double dropout,
      int maxQueryLength, boolean fusion, int textFeatures) {
    this(textVocab, idVocab, dModel, heads, ffn, encoderLayers, decoderLayers, dropout, maxQueryLength, fusion, textFeatures, 0);
  }

  /** Whether the pretrained encoder's layers are the fusion's encoder layers (no encoder of the retriever's own). */
  public boolean pretrainedLayers() {
    return textFeatures > 0 && textLayers > 0;
  }

  /** How many encoder layers the decoder's fusion reads. */
  public int memoryLayers() {
    return pretrainedLayers() ? textLayers : encoderLayers;
  }

  /** With the encoder's own token embeddings. */
  public CartConfig(int textVocab, int[] idVocab, int dModel, int heads, int ffn, int encoderLayers, int decoderLayers, double dropout,
      int maxQueryLength, boolean fusion) {
    this(textVocab, idVocab, dModel, heads, ffn, encoderLayers, decoderLayers, dropout, maxQueryLength, fusion, 0);
  }

  /**
   * The default sizes (those of {@code cart train}, whose options read them) with the given vocabularies: width 64 (on 2
   * CPU cores a narrower model sees more epochs in the time budget, which gave better recall on emoji than width 128; see
   * the README), 4 heads, feed-forward 128, 3 encoder layers (paper Table 5) and 3 decoder layers (Table 10), dropout 0.1,
   * 24 query tokens, coarse/fine fusion on, the encoder's own token embeddings.
   */
  public static CartConfig defaults(int textVocab, int[] idVocab) {
    return new CartConfig(textVocab, idVocab, 64, 4, 128, 3, 3, 0.1, 24, true, 0);
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
