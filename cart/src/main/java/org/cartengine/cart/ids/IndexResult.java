package org.cartengine.cart.ids;

import java.util.ArrayList;
import java.util.List;

/**
 * A built index: every item's identifier (and the prefix trie over them), the item ids in row order,
 * the fitted model that made them, the configuration and the statistics. Immutable; {@link #add}
 * returns a new result.
 */
public record IndexResult(IndexConfig config, IdentifierModel model, Identifiers identifiers, List<String> itemIds, IndexStats stats) {

  public IndexResult {
    if (itemIds.size() != identifiers.size())
      throw new IllegalArgumentException("IndexResult: " + itemIds.size() + " item ids for " + identifiers.size() + " identifiers");
    itemIds = List.copyOf(itemIds);
  }

  /**
   * Adds m new items (rows of emb, m x dim) without refitting: their semantic tokens come from the
   * saved model, their unique tokens continue the prefix database (the current trie), existing
   * identifiers are unchanged and the trie grows. The vocabulary of u grows when a new item needs it.
   */
  public IndexResult add(List<String> newIds, float[] emb, int m) {
    if (newIds.size() != m) throw new IllegalArgumentException("add: " + newIds.size() + " ids for " + m + " rows");
    int dim = model.inputDim();
    if (dim > 0 && (long) m * dim != emb.length)
      throw new IllegalArgumentException("add: " + emb.length + " values for " + m + " rows; the index was built on embeddings of dim " + dim);
    int n = identifiers.size();
    int[] semantic = model.assign(emb, m, n);
    int[] tokens = model.uniqueToken() ? new PrefixDatabase(model.semanticLength(), identifiers.trie()).appendUnique(semantic, m) : semantic;
    int[] vocab = IdentifierBuilder.vocab(model, tokens, m, n + m);
    Identifiers grown = identifiers.append(tokens, m, vocab);
    List<String> ids = new ArrayList<>(itemIds);
    ids.addAll(newIds);
    return new IndexResult(config, model, grown, ids, IndexStats.of(model, grown, stats));
  }
}
