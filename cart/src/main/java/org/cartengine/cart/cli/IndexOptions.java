package org.cartengine.cart.cli;

import org.cartengine.cart.ids.IndexConfig;
import org.cartengine.cart.ids.Scheme;
import picocli.CommandLine.Option;

/** Identifier options of index, train and ablate (paper section 3.2); defaults are {@link IndexConfig}'s. */
public final class IndexOptions {
  static final IndexConfig DEFAULTS = new IndexConfig();

  /** The default of {@code --scheme}: chosen from the corpus by {@code train} (SchemeChoice), CART's elsewhere. */
  public static final String AUTO = "auto";

  @Option(names = "--scheme", paramLabel = "S", description = "Identifier scheme: auto (train: atomic when every item has a train caption "
      + "of its own and there are at most 16,384 items, else cart, in the caption space with the pretrained encoder; index: cart), cart (K-Means + RQ-VAE + unique token), rq-only (w/o K-Means), hkmeans (w/o RQ-VAE), atomic (default: ${DEFAULT-VALUE}).")
  public String scheme = AUTO;

  public boolean isAuto() {
    return AUTO.equalsIgnoreCase(scheme);
  }

  @Option(names = "--k", paramLabel = "K", description = "K-Means clusters for the coarse token, max branching for hkmeans; 0 = scaled to the corpus: the cube root of 64 x items "
      + "rounded up to a multiple of 8, in [8, 128], the paper's 128 from about 30K items (default: ${DEFAULT-VALUE}; at most n/4).")
  public int k = DEFAULTS.k;

  @Option(names = "--codebooks", paramLabel = "M", description = "RQ-VAE codebooks M; identifiers have M + 2 tokens (default: ${DEFAULT-VALUE}).")
  public int codebooks = DEFAULTS.codebooks;

  @Option(names = "--codebook-size", paramLabel = "N", description = "Codes per codebook; 0 = scaled to the corpus as --k (default: ${DEFAULT-VALUE}).")
  public int codebookSize = DEFAULTS.codebookSize;

  @Option(names = "--latent-dim", paramLabel = "D", description = "RQ-VAE codebook vector dimension (default: ${DEFAULT-VALUE}).")
  public int latentDim = DEFAULTS.latentDim;

  @Option(names = "--hidden", paramLabel = "W,W,..", split = ",", description = "RQ-VAE encoder hidden widths (default: ${DEFAULT-VALUE}).")
  public int[] hidden = DEFAULTS.hidden.clone();

  @Option(names = "--index-epochs", paramLabel = "E", description = "RQ-VAE training epochs (default: ${DEFAULT-VALUE}; the paper: 500).")
  public int indexEpochs = DEFAULTS.epochs;

  @Option(names = "--index-lr", paramLabel = "LR", description = "RQ-VAE peak learning rate (default: ${DEFAULT-VALUE}; the paper: 1e-4).")
  public double indexLr = DEFAULTS.lr;

  @Option(names = "--warmup-epochs", paramLabel = "E", description = "RQ-VAE warm-up epochs (default: ${DEFAULT-VALUE}; the paper: 300).")
  public int warmupEpochs = DEFAULTS.warmupEpochs;

  @Option(names = "--train-sample", paramLabel = "N", description = "Train the RQ-VAE on at most N items, 0 = all (default: ${DEFAULT-VALUE}).")
  public int trainSample = DEFAULTS.trainSample;

  @Option(names = "--atomic-base", paramLabel = "B", description = "Atomic scheme: 0 = one token per item, B >= 2 = base-B digits (default: ${DEFAULT-VALUE}).")
  public int atomicBase = DEFAULTS.atomicBase;

  @Option(names = "--normalize", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "L2-normalise item embeddings before K-Means and the RQ-VAE (default: on; --no-normalize for the raw embeddings).")
  public boolean normalize = DEFAULTS.normalize;

  @Option(names = "--kmeans-lloyd", paramLabel = "I", description = "Full-batch Lloyd iterations after mini-batch K-Means, until no assignment changes; 0 = off (default: ${DEFAULT-VALUE}).")
  public int kmeansLloyd = DEFAULTS.kmeansLloydIterations;

  @Option(names = "--id-space", paramLabel = "SPACE", description = "What identifiers are built on: items (the item embeddings), captions (the "
      + "pretrained text encoder's mean embedding of each item's train captions; items without one borrow their nearest captioned items'), "
      + "or auto (train: captions when a pretrained text encoder is on, else items) (default: ${DEFAULT-VALUE}).")
  public String space = AUTO;

  public boolean isAutoSpace() {
    return AUTO.equals(space);
  }

  public IndexConfig toConfig(long seed) {
    IndexConfig c = new IndexConfig();
    c.space = isAutoSpace() ? IndexConfig.SPACE_ITEMS : space;
    c.scheme = isAuto() ? Scheme.CART : Scheme.parse(scheme);
    c.k = k;
    c.codebooks = codebooks;
    c.codebookSize = codebookSize;
    c.latentDim = latentDim;
    c.hidden = hidden;
    c.epochs = indexEpochs;
    c.warmupEpochs = warmupEpochs;
    c.lr = indexLr;
    c.trainSample = trainSample;
    c.atomicBase = atomicBase;
    c.normalize = normalize;
    c.kmeansLloydIterations = kmeansLloyd;
    c.seed = seed;
    return c.validate();
  }
}
