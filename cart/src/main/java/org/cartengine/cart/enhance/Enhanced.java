package org.cartengine.cart.enhance;

import java.util.Map;
import org.cartengine.cart.data.Dataset;

/**
 * The result of {@link CaptionEnhancer#enhance}.
 *
 * @param dataset the same items, val and test captions unchanged, train = the original train captions followed by
 *     the pseudo-queries
 * @param addedPerSource pseudo-queries added per {@code source} value, in the order neighbour-transfer,
 *     recombination, wordnet (0 for a method that did not run)
 */
public record Enhanced(Dataset dataset, Map<String, Integer> addedPerSource) {
  public Enhanced {
    addedPerSource = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(addedPerSource));
  }

  /** All pseudo-queries added. */
  public int added() {
    return addedPerSource.values().stream().mapToInt(Integer::intValue).sum();
  }
}
