package org.cartengine.cart.enhance;

import java.util.List;

/**
 * One way of making pseudo-queries (paper Sec. 3.3) from train captions and embeddings. The enhancer asks each method
 * for an item's candidates, drops texts the item already has (compared by {@link Texts#normalise}) and keeps the first
 * {@link EnhanceConfig#perItem()}.
 */
interface PseudoQueryMethod {

  /** The value of the {@code source} field of the captions this method makes. */
  String source();

  /** Candidate texts for item {@code item}, best (or, for the random methods, seeded-shuffled) first. */
  List<String> candidates(int item);
}
