package org.cartengine.cart.ids;

import com.google.gson.annotations.SerializedName;

/**
 * How identifiers are built: CART's coarse-fine identifiers and the ablations of Tables 3 and 4.
 * Lengths with M = {@link IndexConfig#codebooks}:
 * <ul>
 *   <li>{@code cart}: (k, v1..vM, u): K-Means coarse token, RQ-VAE fine tokens of the residual, unique token; M + 2 tokens.
 *   <li>{@code rq-only} ("w/o K-Means", Table 4): (v1..v_{M+1}, u), the RQ-VAE on the raw embeddings with one more codebook, so the length stays M + 2.
 *   <li>{@code hkmeans} ("w/o RQ-VAE", Table 4): (p1..p_{M+1}, u), the path in a hierarchical K-Means tree, + u; M + 2 tokens.
 *   <li>{@code atomic} (Table 3's "Atomic ID"): the item's index as one token (vocabulary = corpus size), or its digits in base B.
 * </ul>
 */
public enum Scheme {
  @SerializedName("cart") CART("cart"),
  @SerializedName("rq-only") RQ_ONLY("rq-only"),
  @SerializedName("hkmeans") HKMEANS("hkmeans"),
  @SerializedName("atomic") ATOMIC("atomic");

  public final String cliName;

  Scheme(String cliName) {
    this.cliName = cliName;
  }

  /**
   * How a results row names a retriever on these identifiers, so that no row can be read as the paper's method when it is
   * not: "CART (semantic ids)" for the paper's, "CART (atomic ids)" for one token per item.
   */
  public String methodLabel(String space) {
    String base = methodLabel();
    return this == ATOMIC || IndexConfig.SPACE_ITEMS.equals(space) ? base : base.replace(" ids)", " ids, caption space)");
  }

  /** {@link #methodLabel(String)}, saying whether the retriever reads the pretrained sentence encoder. */
  public String methodLabel(String space, boolean pretrainedEncoder) {
    String l = methodLabel(space);
    return pretrainedEncoder ? l.replace(")", ", pretrained encoder)") : l;
  }

  public String methodLabel() {
    return switch (this) {
      case CART -> "CART (semantic ids)";
      case RQ_ONLY -> "CART (rq-only ids)";
      case HKMEANS -> "CART (hkmeans ids)";
      case ATOMIC -> "CART (atomic ids)";
    };
  }

  public static Scheme parse(String s) {
    for (Scheme x : values()) if (x.cliName.equalsIgnoreCase(s) || x.name().equalsIgnoreCase(s)) return x;
    throw new IllegalArgumentException("unknown identifier scheme '" + s + "' (known: cart, rq-only, hkmeans, atomic)");
  }

  @Override
  public String toString() {
    return cliName;
  }
}
