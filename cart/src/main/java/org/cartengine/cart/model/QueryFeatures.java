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

  /**
   * Computes ahead, for the whole batch at once, what {@link #features} of these rows (or of any slice of them) will
   * read; a no-op for features that keep nothing. A batch about to be cut into slices decoded on one core each calls
   * this first, so the pretrained encoder runs once on all rows, its kernels spread over every core, and not slice by
   * slice on one.
   */
  default void prepare(Tensor ids, Tensor padding) {}

  /** How many of the pretrained encoder's last layers {@link #layerFeatures} gives. */
  default int layers() {
    return 1;
  }

  /**
   * The outputs of the pretrained encoder's last {@link #layers()} layers, each [B, T, dim] as {@link #features} (the last
   * layer last): the encoder layers E_1..E_L whose fusion eqs. 2-5 describe.
   */
  default java.util.List<Tensor> layerFeatures(Tensor ids, Tensor padding) {
    return java.util.List.of(features(ids, padding));
  }
}
