package org.cartengine.cart.cli;

import org.cartengine.cart.ids.IndexConfig;
import org.cartengine.cart.ids.Scheme;
import picocli.CommandLine.Option;

/** Identifier options shared by train and ablate (see {@code cart index} for all of them). */
public final class IndexOptions {
  @Option(names = "--scheme", description = "Identifier scheme: cart (K-Means + RQ-VAE + unique token), rq-only (w/o K-Means), hkmeans (w/o RQ-VAE), atomic (default: cart).")
  public String scheme = "cart";

  @Option(names = "--k", description = "K-Means clusters for the coarse token (default: scaled to the corpus, cube root of 64 x items rounded up to a multiple of 8, in [8, 128]; the paper's 128 from about 30K items).")
  public Integer k;

  @Option(names = "--codebooks", description = "RQ-VAE codebooks M (default: 2).")
  public Integer codebooks;

  @Option(names = "--codebook-size", description = "Codes per codebook (default: scaled to the corpus as --k).")
  public Integer codebookSize;

  @Option(names = "--index-epochs", description = "RQ-VAE training epochs.")
  public Integer indexEpochs;

  @Option(names = "--normalize", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "L2-normalise item embeddings before K-Means and the RQ-VAE (default: on; --no-normalize for the raw embeddings).")
  public boolean normalize = true;

  @Option(names = "--kmeans-lloyd", description = "Full-batch Lloyd iterations after mini-batch K-Means, until no assignment changes (default: 100; 0 = off).")
  public Integer kmeansLloyd;

  public IndexConfig toConfig(long seed) {
    IndexConfig c = new IndexConfig();
    c.scheme = Scheme.parse(scheme);
    if (k != null) c.k = k;
    if (codebooks != null) c.codebooks = codebooks;
    if (codebookSize != null) c.codebookSize = codebookSize;
    if (indexEpochs != null) c.epochs = indexEpochs;
    c.normalize = normalize;
    if (kmeansLloyd != null) c.kmeansLloydIterations = kmeansLloyd;
    c.seed = seed;
    return c.validate();
  }
}
