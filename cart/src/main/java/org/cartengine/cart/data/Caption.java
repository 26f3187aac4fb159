package org.cartengine.cart.data;

/**
 * One line of captions.jsonl: a text written for (or generated from) item number {@code item}, whose id is
 * {@code itemId}.
 *
 * @param source null for human captions; otherwise how the text was made, from the optional JSON field
 *     {@code "source"} (e.g. "neighbour-transfer", "wordnet" for the paper's caption enhancement, Sec. 3.3)
 */
public record Caption(int item, String itemId, String text, Split split, String source) {

  /** A human caption (no source). */
  public Caption(int item, String itemId, String text, Split split) {
    this(item, itemId, text, split, null);
  }
}
