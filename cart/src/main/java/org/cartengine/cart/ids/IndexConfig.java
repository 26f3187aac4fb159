package org.cartengine.cart.ids;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

/**
 * Every setting of identifier construction, saved as JSON next to the index. Public fields with the
 * defaults below; {@link #validate()} checks them. Where a default differs from the paper (appendix
 * C), the field says what the paper used and why.
 */
public final class IndexConfig {
  public Scheme scheme = Scheme.CART;

  /** Identifiers built on the raw item embeddings ({@code items.npy}). */
  public static final String SPACE_ITEMS = "items";
  /**
   * Identifiers built on the items' caption-space vectors: the pretrained sentence encoder's mean embedding of each item's
   * train captions, where queries live (cart.text.CaptionSpace); items without a caption borrow their look-alikes'.
   */
  public static final String SPACE_CAPTIONS = "captions";

  /** The vectors K-Means and the RQ-VAE cluster: {@link #SPACE_ITEMS} or {@link #SPACE_CAPTIONS}. */
  public String space = SPACE_ITEMS;

  /**
   * K, clusters for the coarse token (paper: 128); 0 = scaled to the corpus ({@link #branching}).
   * Clamped to n / 4 for small corpora so clusters hold a few items each.
   */
  public int k = 0;

  /** M, RQ-VAE codebooks (paper: 2). rq-only uses M + 1; hkmeans uses M + 1 tree levels. Identifier length = M + 2. */
  public int codebooks = 2;

  /**
   * N, codes per codebook (paper: 128; Table 6 also tries 64 and 256); 0 = scaled to the corpus
   * ({@link #branching}). Clamped to the number of training rows.
   */
  public int codebookSize = 0;

  /**
   * L2-normalise the item embeddings before K-Means and the RQ-VAE: retrieval is by cosine (the
   * embeddings' own geometry), so clusters of directions rather than of norms.
   */
  public boolean normalize = true;

  /**
   * After mini-batch K-Means, full-batch Lloyd iterations on the RQ-VAE's training sample until no
   * assignment changes (at most this many; 0 = off). Mini-batch K-Means alone stops at the
   * scikit-learn defaults' patience (about 18 steps on emoji), far from a fixed point.
   */
  public int kmeansLloydIterations = 100;

  /** Codebook vector (latent) dimension (paper: 64; Table 11 also tries 32). */
  public int latentDim = 64;

  /** Encoder hidden widths; the decoder mirrors them (paper: 512, 256, 128). */
  public int[] hidden = {512, 256, 128};

  /**
   * RQ-VAE training epochs. The paper trains 500 epochs (300 of warm-up) at a peak learning rate of
   * 1e-4 on 4 V100s. The default here is 20 epochs (2 of warm-up) at a peak of 3e-3: codebooks start
   * from k-means of each level's residuals, so the codes are good from the first step and training
   * refines the encoder, decoder and codebooks. On the emoji set (1,911 x 1280) the relative
   * reconstruction error of the residual goes 1.04 (untrained) -> 0.72 (5 epochs) -> 0.65 (20) ->
   * 0.63 (40) at 1e-3, and reaches 0.63 in 20 epochs at 3e-3 with higher codebook perplexity; 20
   * epochs keep {@code cart index} on emoji well under a minute on 2 CPU cores. Use
   * {@code --index-epochs 500 --warmup-epochs 300 --lr 1e-4} for the paper's schedule.
   */
  public int epochs = 20;

  /** Warm-up epochs of the inverse-square-root schedule (paper: 300 of 500). */
  public int warmupEpochs = 2;

  /** Peak learning rate of Adam (paper: 1e-4, see {@link #epochs}). */
  public double lr = 3e-3;

  /** Learning rate at the start of warm-up (paper: 1e-6). */
  public double warmupInitLr = 1e-6;

  /** RQ-VAE mini-batch size. */
  public int batchSize = 128;

  /** alpha and beta of eq. (1). The paper does not give values; beta = 0.25 is the VQ-VAE default (van den Oord et al.). */
  public double alpha = 1.0;
  public double beta = 0.25;

  /** Standardise RQ-VAE inputs (see {@link Standardizer}). */
  public boolean standardize = true;

  /** Move codes unused in an epoch to random current residuals (fights codebook collapse). */
  public boolean resetDeadCodes = true;

  /**
   * Train the RQ-VAE on at most this many items (a seeded random sample; 0 = all). The paper trains
   * on the whole corpus; on a CPU the sample bounds the cost of a 1M-item corpus while every item is
   * still encoded by the trained model.
   */
  public int trainSample = 16384;

  /** Global gradient-norm clipping of the RQ-VAE (0: off). */
  public double clipNorm = 1.0;

  /** Mini-batch K-Means settings (scikit-learn's defaults: batch 1024, stop after 10 steps without improvement). */
  public int kmeansBatch = 1024;
  public int kmeansMaxSteps = 300;
  public int kmeansMaxEpochs = 10;
  public int kmeansPatience = 10;

  /**
   * Atomic identifiers: 0 = the item index as one token (vocabulary = corpus size); B >= 2 = the index
   * written in base B, most significant digit first (vocabulary B per position, length ceil(log_B n)).
   */
  public int atomicBase = 0;

  public long seed = 42;

  /**
   * Branching factor for a corpus of n items when K or N is 0: the cube root of 64 n, rounded up to a
   * multiple of 8 and kept in [8, 128]. With identifiers (k, v1, v2) this gives about 64 identifier
   * slots per item, the paper's ratio on Flickr30K (128^3 for 31K images), and the paper's 128 from
   * about 30K items on; on small corpora 128 x 128 x 128 would make nearly every prefix a singleton, so
   * the fine tokens would carry no shared structure to learn.
   */
  public static int branching(int n) {
    int b = (int) Math.ceil(Math.cbrt(64.0 * Math.max(1, n)) / 8) * 8;
    return Math.max(8, Math.min(128, b));
  }

  /** This configuration with K and N filled in for a corpus of n items where they are 0 (auto). */
  public IndexConfig resolved(int n) {
    IndexConfig c = copy();
    if (c.k == 0) c.k = branching(n);
    if (c.codebookSize == 0) c.codebookSize = branching(n);
    return c;
  }

  public IndexConfig copy() {
    return fromJson(toJson());
  }

  /** Identifier length of this configuration for a corpus of n items. */
  public int length(int n) {
    return switch (scheme) {
      case CART, RQ_ONLY, HKMEANS -> codebooks + 2;
      case ATOMIC -> atomicBase == 0 ? 1 : AtomicModel.digits(n, atomicBase);
    };
  }

  public IndexConfig validate() {
    if (scheme == null) throw new IllegalArgumentException("scheme must be one of cart, rq-only, hkmeans, atomic");
    if (space == null) space = SPACE_ITEMS;
    if (!space.equals(SPACE_ITEMS) && !space.equals(SPACE_CAPTIONS))
      throw new IllegalArgumentException("id space '" + space + "' must be " + SPACE_ITEMS + " or " + SPACE_CAPTIONS);
    nonNegative("k", k);
    positive("codebooks", codebooks);
    nonNegative("codebook-size", codebookSize);
    if (kmeansLloydIterations < 0) throw new IllegalArgumentException("kmeans-lloyd-iterations = " + kmeansLloydIterations + " must be >= 0");
    positive("latent-dim", latentDim);
    positive("batch-size", batchSize);
    positive("kmeans-batch", kmeansBatch);
    positive("kmeans-max-steps", kmeansMaxSteps);
    positive("kmeans-max-epochs", kmeansMaxEpochs);
    if (hidden == null) throw new IllegalArgumentException("hidden widths must be given (paper: 512,256,128)");
    for (int h : hidden) positive("hidden width", h);
    if (epochs < 0 || warmupEpochs < 0) throw new IllegalArgumentException("epochs " + epochs + " and warmup epochs " + warmupEpochs + " must be >= 0");
    if (!(lr > 0) || !(warmupInitLr >= 0)) throw new IllegalArgumentException("learning rates must be positive (lr " + lr + ", warm-up init " + warmupInitLr + ")");
    if (!(alpha >= 0) || !(beta >= 0)) throw new IllegalArgumentException("alpha " + alpha + " and beta " + beta + " must be >= 0");
    if (trainSample < 0) throw new IllegalArgumentException("train-sample " + trainSample + " must be >= 0 (0 = all items)");
    if (atomicBase == 1 || atomicBase < 0) throw new IllegalArgumentException("atomic base " + atomicBase + ": use 0 (one token) or >= 2");
    return this;
  }

  private static void nonNegative(String name, int v) {
    if (v < 0) throw new IllegalArgumentException(name + " = " + v + " must be >= 0 (0 = scaled to the corpus)");
  }

  private static void positive(String name, int v) {
    if (v < 1) throw new IllegalArgumentException(name + " = " + v + " must be >= 1");
  }

  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

  public String toJson() {
    return GSON.toJson(this);
  }

  public static IndexConfig fromJson(String json) {
    IndexConfig c = GSON.fromJson(json, IndexConfig.class);
    // Indexes written before these settings existed were built without them.
    com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(json).getAsJsonObject();
    if (!o.has("normalize")) c.normalize = false;
    if (!o.has("kmeansLloydIterations")) c.kmeansLloydIterations = 0;
    return c.validate();
  }
}
