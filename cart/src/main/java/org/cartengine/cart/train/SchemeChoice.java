package org.cartengine.cart.train;

import java.util.BitSet;
import org.cartengine.cart.data.Caption;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.data.Split;
import org.cartengine.cart.ids.Scheme;

/**
 * {@code --scheme auto}, the default of {@code train}: the identifier scheme chosen from the corpus.
 *
 * <p>Atomic identifiers (one token per item, the paper's Table 3 baseline) when every item has at least one train
 * caption and the corpus has at most {@link #ATOMIC_MAX_ITEMS} items; CART's semantic identifiers (K-Means + RQ-VAE +
 * unique token, section 3.2) otherwise. Why: an atomic token is learned only from its own item's captions, so an item
 * without one could never be generated, and the output layer grows with the corpus (items x d_model), which defeats
 * generative retrieval's flat cost on large corpora; where neither holds, measured on both development sets (README,
 * "Identifier scheme"), the atomic retriever learned far faster than the semantic one, whose prefixes come from the
 * item embeddings' geometry, which the queries' wording does not follow (emoji: R@1 20.25 against 1.88 at the same
 * budget; clipart-dev: 9.33 against 8.26 at 30 epochs).
 */
public final class SchemeChoice {
  /** Above this many items the atomic output layer (items x d_model) outgrows the rest of a default-sized retriever. */
  public static final int ATOMIC_MAX_ITEMS = 16_384;

  private SchemeChoice() {}

  public record Choice(Scheme scheme, String reason) {}

  public static Choice auto(Dataset ds) {
    return auto(ds, false);
  }

  /**
   * With a caption space (a pretrained text encoder), the paper's semantic identifiers built in it, on any corpus: their
   * prefixes are topics a query can name, an item nobody captioned shares its look-alikes' prefix, the vocabulary does not
   * grow with the corpus, and the beam can be guided by the space they were built in. Without one, the rule below.
   */
  public static Choice auto(Dataset ds, boolean captionSpace) {
    if (captionSpace)
      return new Choice(Scheme.CART, "semantic identifiers in the caption space of the pretrained text encoder (--scheme atomic for one token per item)");
    BitSet covered = new BitSet(ds.size());
    for (Caption c : ds.captions(Split.TRAIN)) covered.set(c.item());
    return auto(ds.size(), covered);
  }

  /** The rule on n items of which {@code covered} have a train caption. */
  static Choice auto(int n, BitSet covered) {
    int missing = n - covered.cardinality();
    if (missing > 0) {
      return new Choice(Scheme.CART, String.format("%,d of %,d items have no train caption, so semantic identifiers (an atomic token could not be learned for them)", missing, n));
    }
    if (n > ATOMIC_MAX_ITEMS) {
      return new Choice(Scheme.CART, String.format("%,d items, more than %,d, so semantic identifiers (flat search cost)", n, ATOMIC_MAX_ITEMS));
    }
    return new Choice(Scheme.ATOMIC, String.format("%,d items (at most %,d), every one with a train caption, so one token per item; --scheme cart for the paper's", n, ATOMIC_MAX_ITEMS));
  }
}
