package org.cartengine.cart.data;

import java.util.Locale;

/**
 * Which use a caption has (package-info.java): {@code train} captions build and train the retriever (human captions of
 * training items and generated pseudo-queries of any item), {@code val} ones select models, {@code test} ones are the
 * reported queries.
 */
public enum Split {
  TRAIN, VAL, TEST;

  /** The value used in captions.jsonl: "train", "val" or "test". */
  public String json() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The split named {@code s} in captions.jsonl, or null when {@code s} is not one of "train", "val", "test". */
  public static Split fromJson(String s) {
    return switch (s) {
      case "train" -> TRAIN;
      case "val" -> VAL;
      case "test" -> TEST;
      default -> null;
    };
  }
}
