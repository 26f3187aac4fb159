package org.cartengine.cart.cli;

import org.cartengine.cart.ids.IndexConfig;
import org.cartengine.cart.ids.Scheme;
import picocli.CommandLine.Option;

/** Identifier options of index, train and ablate (paper section 3.2); defaults are {@link IndexConfig}'s. */
public final class IndexOptions {
  static final IndexConfig DEFAULTS = new IndexConfig();

  @Option(names = "--scheme", paramLabel = "S", description = "Identifier scheme: cart (K-Means + RQ-VAE + unique token), rq-only (w/o K-Means), hkmeans (w/o RQ-VAE), atomic (default: ${DEFAULT-VALUE}).")
  public String scheme = DEFAULTS.scheme.cliName;

  @Option(names = "--k", paramLabel = "K", description = "K-Means clusters for the coarse token, max branching for hkmeans (default: ${DEFAULT-VALUE}; at most n/4).")
  public int k = DEFAULTS.k;

  @Option(names = "--codebooks", paramLabel = "M", description = "RQ-VAE codebooks M; identifiers have M + 2 tokens (default: ${DEFAULT-VALUE}).")
  public int codebooks = DEFAULTS.codebooks;

  @Option(names = "--codebook-size", paramLabel = "N", description = "Codes per codebook (default: ${DEFAULT-VALUE}).")
  public int codebookSize = DEFAULTS.codebookSize;

  @Option(names = "--latent-dim", paramLabel = "D", description = "RQ-VAE codebook vector dimension (default: ${DEFAULT-VALUE}).")
  public int latentDim = DEFAULTS.latentDim;

  @Option(names = "--hidden", paramLabel = "W,W,..", split = ",", description = "RQ-VAE encoder hidden widths (default: ${DEFAULT-VALUE}).")
  public int[] hidden = DEFAULTS.hidden.clone();

  @Option(names = "--index-epochs", paramLabel = "E", description = "RQ-VAE training epochs (default: ${DEFAULT-VALUE}; the paper: 500).")
  public int indexEpochs = DEFAULTS.epochs;

  @Option(names = "--warmup-epochs", paramLabel = "E", description = "RQ-VAE warm-up epochs (default: ${DEFAULT-VALUE}; the paper: 300).")
  public int warmupEpochs = DEFAULTS.warmupEpochs;

  @Option(names = "--train-sample", paramLabel = "N", description = "Train the RQ-VAE on at most N items, 0 = all (default: ${DEFAULT-VALUE}).")
  public int trainSample = DEFAULTS.trainSample;

  @Option(names = "--atomic-base", paramLabel = "B", description = "Atomic scheme: 0 = one token per item, B >= 2 = base-B digits (default: ${DEFAULT-VALUE}).")
  public int atomicBase = DEFAULTS.atomicBase;

  public IndexConfig toConfig(long seed) {
    IndexConfig c = new IndexConfig();
    c.scheme = Scheme.parse(scheme);
    c.k = k;
    c.codebooks = codebooks;
    c.codebookSize = codebookSize;
    c.latentDim = latentDim;
    c.hidden = hidden;
    c.epochs = indexEpochs;
    c.warmupEpochs = warmupEpochs;
    c.trainSample = trainSample;
    c.atomicBase = atomicBase;
    c.seed = seed;
    return c.validate();
  }
}
