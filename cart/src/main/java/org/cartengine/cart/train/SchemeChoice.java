package org.cartengine.cart.train;

import java.util.BitSet;
import org.cartengine.cart.data.Caption;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.data.Split;
import org.cartengine.cart.enhance.CaptionEnhancer;
import org.cartengine.cart.ids.Scheme;

/**
 * {@code --scheme auto}, the default of {@code train}: the identifier scheme chosen from the corpus.
 *
 * <p>Atomic identifiers (one token per item, the paper's Table 3 baseline) when every item has at least one train
 * caption of its own and the corpus has at most {@link #ATOMIC_MAX_ITEMS} items; CART's semantic identifiers (K-Means +
 * RQ-VAE + unique token, section 3.2) otherwise. Pseudo-queries made by the caption enhancement ({@code
 * --uncaptioned-queries}, {@code --enhance}) do not count: an item known only through texts borrowed from its
 * look-alikes is better placed by a prefix shared with them than by a token of its own.
 *
 * <p>Why, by val R@1 (README, "Results", one sitting, pretrained encoder): on emoji (633 val queries) atomic ids lead the
 * paper's identifiers in the caption space by 14 points alone and 5 with the re-rank; on clipart-dev (214) by 2 and 5;
 * on clipart-dev-cold (59, 30% of the items without a caption) the schemes are within one or two queries of each other.
 * With a pretrained encoder one token per item is a linear read-out of a query encoder that already knows the words,
 * while a four-token identifier compounds four decisions. Atomic ids cannot serve a large corpus at a flat cost (the
 * output layer is items x d_model) or an item that has nothing of its own to be learned from, so there the paper's
 * identifiers are kept.
 */
public final class SchemeChoice {
  /** Above this many items the atomic output layer (items x d_model) outgrows the rest of a default-sized retriever. */
  public static final int ATOMIC_MAX_ITEMS = 16_384;

  private SchemeChoice() {}

  public record Choice(Scheme scheme, String reason) {}

  /** The rule on {@code ds}; its train captions made by the caption enhancement are not counted as an item's own. */
  public static Choice auto(Dataset ds) {
    BitSet covered = new BitSet(ds.size());
    for (Caption c : ds.captions(Split.TRAIN)) if (!CaptionEnhancer.isOwnSource(c.source())) covered.set(c.item());
    return auto(ds.size(), covered);
  }

  /** The rule on n items of which {@code covered} have a train caption. */
  static Choice auto(int n, BitSet covered) {
    int missing = n - covered.cardinality();
    if (missing > 0) {
      return new Choice(Scheme.CART, String.format("%,d of %,d items have no train caption of their own, so semantic identifiers (such an item shares its look-alikes' prefix)", missing, n));
    }
    if (n > ATOMIC_MAX_ITEMS) {
      return new Choice(Scheme.CART, String.format("%,d items, more than %,d, so semantic identifiers (flat search cost)", n, ATOMIC_MAX_ITEMS));
    }
    return new Choice(Scheme.ATOMIC, String.format("%,d items (at most %,d), every one with a train caption, so one token per item; --scheme cart for the paper's", n, ATOMIC_MAX_ITEMS));
  }
}
