package org.cartengine.cart.cli;

import org.cartengine.cart.model.CartConfig;
import org.cartengine.cart.train.TrainConfig;
import picocli.CommandLine.Option;

/**
 * Retriever size and training options shared by train and ablate; the defaults are {@link TrainConfig#defaults()}'s and
 * {@link CartConfig#defaults}'s (the tokenizer's vocabulary, the alignment weight and the text encoder are the pipeline's).
 */
public final class ModelOptions {
  private static final TrainConfig TRAIN = TrainConfig.defaults();
  private static final CartConfig SIZES = CartConfig.defaults(0, new int[0]);

  @Option(names = "--epochs", description = "Training epochs; with --minutes, the most that may run (default: ${DEFAULT-VALUE}: high enough that the "
      + "time budget, not a fixed epoch count, ends a run on a small dataset; the best epoch on val is kept).")
  public int epochs = TRAIN.epochs();

  @Option(names = "--patience", description = "Early stopping: end training when val R@1 (with a val set large enough to choose epochs on) has "
      + "not improved for this many epochs; 0 = off (default: ${DEFAULT-VALUE}).")
  public int patience = TRAIN.patience();

  @Option(names = "--minutes", description = "Time budget of the retriever's training: its first steps are timed and the run is planned "
      + "(steps and learning-rate schedule) to end within it; 0 = exactly --epochs (default: ${DEFAULT-VALUE}, sized so that "
      + "`train` with the dual-tower baseline finishes within 10 minutes on 2 CPU cores).")
  public double minutes = TRAIN.budgetSeconds() / 60;

  @Option(names = "--batch-size", description = "Training batch size (default: ${DEFAULT-VALUE}).")
  public int batchSize = TRAIN.batchSize();

  @Option(names = "--lr", description = "Peak learning rate of Adam after warm-up (default: ${DEFAULT-VALUE}; the paper uses 1e-4 for much longer GPU runs).")
  public double lr = TRAIN.lr();

  @Option(names = "--warmup-steps", description = "Linear warm-up steps (default: ${DEFAULT-VALUE}).")
  public int warmupSteps = TRAIN.warmupSteps();

  @Option(names = "--restart-epochs", description = "Length of a cosine annealing cycle in epochs, restarted after each (default: one cycle over the whole run).")
  public double restartEpochs = TRAIN.restartEpochs();

  @Option(names = "--seed", description = "Random seed (default: ${DEFAULT-VALUE}).")
  public long seed = TRAIN.seed();

  @Option(names = "--d-model", description = "Transformer width (default: ${DEFAULT-VALUE}: on 2 CPU cores a narrower model sees more epochs in "
      + "the time budget, which gave better recall on emoji than width 128; see the README).")
  public int dModel = SIZES.dModel();

  @Option(names = "--heads", description = "Attention heads (default: ${DEFAULT-VALUE}).")
  public int heads = SIZES.heads();

  @Option(names = "--ffn", description = "Feed-forward width (default: ${DEFAULT-VALUE}).")
  public int ffn = SIZES.ffn();

  @Option(names = "--encoder-layers", description = "Encoder layers S (default: ${DEFAULT-VALUE}, paper Table 5).")
  public int encoderLayers = SIZES.encoderLayers();

  @Option(names = "--decoder-layers", description = "Decoder layers (default: ${DEFAULT-VALUE}, paper Table 10).")
  public int decoderLayers = SIZES.decoderLayers();

  @Option(names = "--dropout", description = "Dropout (default: ${DEFAULT-VALUE}).")
  public double dropout = SIZES.dropout();

  @Option(names = "--omega", description = "Weight of the R-Drop KL loss, eq. (8) (default: ${DEFAULT-VALUE}).")
  public double omega = TRAIN.omega();

  @Option(names = "--align-weight", description = "Weight of the query-item alignment loss (an InfoNCE head on the encoder that maps a query into the "
      + "item embedding space, trained jointly; also the re-rank's text tower); 0 = off (default: ${DEFAULT-VALUE}).")
  public double alignWeight = 1.0;

  @Option(names = "--label-smoothing", description = "Label smoothing of the identifier cross-entropy (default: ${DEFAULT-VALUE}).")
  public double labelSmoothing = TRAIN.labelSmoothing();

  @Option(names = "--beam", description = "Beam width of the constrained beam search (default: ${DEFAULT-VALUE}).")
  public int beam = TRAIN.beam();

  @Option(names = "--vocab", description = "BPE vocabulary size of the query tokenizer (default: ${DEFAULT-VALUE}).")
  public int vocab = 3000;

  @Option(names = "--max-query-length", description = "Query tokens kept (default: ${DEFAULT-VALUE}).")
  public int maxQueryLength = SIZES.maxQueryLength();

  @Option(names = "--no-fusion", description = "Ablation: vanilla cross-attention to the last encoder layer instead of coarse/fine fusion.")
  public boolean noFusion;

  @Option(names = "--no-rdrop", description = "Ablation: no R-Drop consistency loss.")
  public boolean noRdrop;

  @Option(names = "--text-encoder", paramLabel = "NAME", description = "Pretrained sentence encoder: minilm (all-MiniLM-L6-v2 on this engine: the "
      + "caption-matching baseline, the captions re-rank tower, and the caption space for identifiers) or scratch (none) (default: ${DEFAULT-VALUE}).")
  public String textEncoder = org.cartengine.cart.text.TextEncoders.MINILM;

  @Option(names = "--scratch-query-embeddings", description = "With a pretrained text encoder, the retriever's encoder still learns its own token "
      + "embeddings (BPE) instead of reading the encoder's frozen token features.")
  public boolean scratchQueryEmbeddings;

  @Option(names = "--text-layers", paramLabel = "L", description = "With a pretrained text encoder: 0 = the retriever's own encoder layers read the "
      + "encoder's last layer; L = 1..6: the encoder's last L layers, each projected to d_model, are the encoder layers the decoder's coarse/fine "
      + "fusion reads (eqs. 2-5), and the retriever has no encoder of its own (default: ${DEFAULT-VALUE}).")
  public int textLayers = 0;
}
