package org.cartengine.cart.cli;

import org.cartengine.cart.ids.IndexConfig;
import org.cartengine.cart.ids.Scheme;
import picocli.CommandLine.Option;

/** Identifier options shared by train and ablate (see {@code cart index} for all of them). */
public final class IndexOptions {
  @Option(names = "--scheme", description = "Identifier scheme: cart (K-Means + RQ-VAE + unique token), rq-only (w/o K-Means), hkmeans (w/o RQ-VAE), atomic (default: cart).")
  public String scheme = "cart";

  @Option(names = "--k", description = "K-Means clusters for the coarse token (default: 128, clamped for small corpora).")
  public Integer k;

  @Option(names = "--codebooks", description = "RQ-VAE codebooks M (default: 2).")
  public Integer codebooks;

  @Option(names = "--codebook-size", description = "Codes per codebook (default: 128).")
  public Integer codebookSize;

  @Option(names = "--index-epochs", description = "RQ-VAE training epochs.")
  public Integer indexEpochs;

  public IndexConfig toConfig(long seed) {
    IndexConfig c = new IndexConfig();
    c.scheme = Scheme.parse(scheme);
    if (k != null) c.k = k;
    if (codebooks != null) c.codebooks = codebooks;
    if (codebookSize != null) c.codebookSize = codebookSize;
    if (indexEpochs != null) c.epochs = indexEpochs;
    c.seed = seed;
    return c.validate();
  }
}
