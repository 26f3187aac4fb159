package org.cartengine.cart.model;

import org.cartengine.engine.Tensor;

/**
 * Frozen per-token features of queries from a pretrained text encoder, the retriever's input in place of its own token
 * embeddings: the pretrained encoder knows words the train captions never use ("automobile" where they say "car").
 */
public interface QueryFeatures {
  /** Feature width. */
  int dim();

  /**
   * Features [B, T, dim] of token ids [B, T] (I32, PAD = 0) with padding mask [B, T] (1 = real token); constant
   * (no gradient flows into the pretrained encoder), zero at padding.
   */
  Tensor features(Tensor ids, Tensor padding);
}
