package org.cartengine.cart.ids;

import java.util.Map;
import org.cartengine.engine.Tensor;

/**
 * A fitted identifier scheme: maps item embeddings to their semantic tokens (everything before the
 * unique token u). Fitted once by {@link IdentifierBuilder}; new items are assigned with the same
 * fitted model, so existing identifiers never change.
 */
public interface IdentifierModel {
  Scheme scheme();

  /** Tokens per item before u (the whole identifier when {@link #uniqueToken()} is false). */
  int semanticLength();

  /** Names of the semantic positions, as printed in statistics and TSV headers (k, v1, v2; p1, p2, p3; ...). */
  String[] positionNames();

  /** Vocabulary size of each semantic position for a corpus of n items. */
  int[] vocab(int n);

  /** Embedding dimension the model was fitted on (0 when any will do, as for atomic identifiers). */
  int inputDim();

  /** Whether identifiers end with the unique token u of section 3.2.3. */
  boolean uniqueToken();

  /**
   * Semantic tokens (n x semanticLength, row-major) of n rows of emb (n x dim). firstItem is the
   * index the first row will have in the index (atomic identifiers are indexes).
   */
  int[] assign(float[] emb, int n, int firstItem);

  /** The fitted parameters, by name, for the index's safetensors file. */
  Map<String, Tensor> tensors();
}
