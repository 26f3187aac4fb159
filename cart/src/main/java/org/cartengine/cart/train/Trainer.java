package org.cartengine.cart.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.cartengine.cart.data.PairSet;
import org.cartengine.cart.ids.Identifiers;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.model.QueryAligner;
import org.cartengine.cart.search.Evaluator;
import org.cartengine.cart.search.Metrics;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.BufferScope;
import org.cartengine.engine.nn.Rng;
import org.cartengine.engine.optim.Adam;
import org.cartengine.engine.optim.LrSchedule;

/**
 * Trains the retriever on &lt;query, identifier&gt; pairs with {@link TrainingLoss} (eq. 8): the epoch loop, model
 * selection on val and early stopping. The learning rate follows warm-up then cosine annealing ({@link LrSchedule});
 * a time-budgeted run is fitted to its budget by {@link BudgetPlanner}.
 *
 * <p>Checkpoints ({@link Checkpoint}): after every epoch {@code last.safetensors} (model, Adam state, RNG counter,
 * epoch) is written atomically; {@code best.safetensors} holds the weights with the best validation R@1.
 * Resuming continues from the last completed epoch; since the batch order of an epoch is a function
 * of (seed, epoch) ({@link Batches}) and dropout masks of (seed, counter), a resumed run equals an uninterrupted one.
 */
public final class Trainer {
  private final CartModel model;
  private final Identifiers ids;
  private final TrainConfig cfg;
  private final Rng rng;
  private final Adam opt;
  private final boolean quiet;
  private final Checkpoint checkpoint;
  private final TrainingLoss objective;
  private final Checkpoint.State st = new Checkpoint.State();

  /**
   * Joint query-item alignment (beyond the paper, see {@link QueryAligner}): the head, the L2-normalised
   * item embeddings [n, dim] and the weight of its InfoNCE term in the loss.
   */
  public record Alignment(QueryAligner head, Tensor items, double weight) {}

  private final Alignment align;

  public Trainer(CartModel model, Rng rng, Identifiers ids, TrainConfig cfg, Path outDir, boolean quiet) {
    this(model, rng, ids, cfg, outDir, quiet, null);
  }

  public Trainer(CartModel model, Rng rng, Identifiers ids, TrainConfig cfg, Path outDir, boolean quiet, Alignment align) {
    this.align = align;
    this.model = model;
    this.rng = rng;
    this.ids = ids;
    this.cfg = cfg;
    this.quiet = quiet;
    this.opt = new Adam(trainable(), 0.9, 0.98, 1e-9, 0.0);
    this.checkpoint = new Checkpoint(model, align, outDir);
    this.objective = new TrainingLoss(model, ids, cfg, align);
    this.parallel = new DataParallelStep(model.backend(), objective, rng, trainable(), Integer.getInteger(SHARDS_PROPERTY, model.backend().shardThreads()));
  }

  /** {@code -Dcart.train.shards=N}: data-parallel shards per step (default: the backend's threads; 1 = off). */
  public static final String SHARDS_PROPERTY = "cart.train.shards";

  private DataParallelStep parallel;

  /** Sets the number of data-parallel shards per step (1: the whole batch on one thread, kernels split across threads). */
  public Trainer shards(int n) {
    if (n < 1) throw new IllegalArgumentException("shards must be >= 1, got " + n);
    parallel = new DataParallelStep(model.backend(), objective, rng, trainable(), n);
    return this;
  }

  /** The data-parallel shards a batch of the configured size runs as. */
  public int shards() {
    return parallel.shardsFor(cfg.batchSize());
  }

  /** The retriever's parameters, and the alignment head's under "align.". */
  private Map<String, Tensor> trainable() {
    Map<String, Tensor> p = new LinkedHashMap<>(model.parameters());
    if (align != null) align.head().parameters().forEach((k, v) -> p.put(Checkpoint.ALIGN + k, v));
    return p;
  }

  /** Where the alignment head of the kept weights is written (beside best.safetensors). */
  public Path alignerCheckpoint() {
    return checkpoint.aligner();
  }

  /**
   * @param selection how the kept weights were chosen, in words ("best val R@1 of 644 queries" or
   *     "last epoch (val has 71 queries, fewer than 300)")
   */
  public record Result(int epochs, double bestValR1, int bestEpoch, List<Map<String, Double>> history, double samplesPerSecond, String selection) {}

  /**
   * Below this many val queries, "best epoch" is noise (one query moves R@1 by a point or more, as much as the differences
   * between late epochs), so the last epoch's weights are kept instead. At 100 a query is worth 1 point; selection then
   * still separates an over-fitted late epoch from a good one, which is what it is for on small datasets trained long.
   */
  public static final int MIN_VAL_QUERIES_FOR_SELECTION = 100;

  /** Whether a val set is large enough to select the best epoch on (else the last epoch is kept). */
  public static boolean selectsOnVal(PairSet val) {
    return val != null && val.size() >= MIN_VAL_QUERIES_FOR_SELECTION;
  }

  static String selection(PairSet val) {
    int n = val == null ? 0 : val.size();
    if (selectsOnVal(val)) return "best val R@1 of " + n + " queries";
    return n == 0 ? "last epoch (no val split)" : "last epoch (val has " + n + " queries, fewer than " + MIN_VAL_QUERIES_FOR_SELECTION + ")";
  }

  public Path lastCheckpoint() {
    return checkpoint.last();
  }

  public Path bestCheckpoint() {
    return checkpoint.best();
  }

  /** Loads last.safetensors if present; returns the number of completed epochs. */
  public int resume() throws IOException {
    return checkpoint.resume(st, rng, opt) ? st.epochsDone : 0;
  }

  /** Warm-up, then cosine cycles of restartEpochs epochs, or one cycle over the planned steps. */
  private LrSchedule schedule(int stepsPerEpoch, int totalSteps) {
    if (cfg.restartEpochs() <= 0) {
      int period = Math.max(1, totalSteps - cfg.warmupSteps());
      return LrSchedule.cosineWithRestarts(cfg.lr(), cfg.warmupSteps(), period, 1.0, cfg.minLr());
    }
    // Warm restarts every restartEpochs epochs (paper appendix C), aligned so that each cycle ends, at
    // the floor, on an epoch boundary where validation runs: the first cycle holds the warm-up.
    int cycle = (int) Math.max(cfg.warmupSteps() + 1, Math.round(cfg.restartEpochs() * stepsPerEpoch));
    return LrSchedule.cosineCycles(cfg.lr(), cfg.warmupSteps(), cycle, cfg.minLr());
  }

  public Result train(PairSet train, PairSet val, List<String> unusedLabels) throws IOException {
    return train(train, val, cfg.epochs());
  }

  /** Trains up to epoch {@code until} (&lt;= the configured epochs); a later call continues, as after a kill. */
  Result train(PairSet train, PairSet val, int until) throws IOException {
    Files.createDirectories(lastCheckpoint().getParent());
    int n = train.size();
    int bs = Math.min(cfg.batchSize(), n);
    int stepsPerEpoch = (n + bs - 1) / bs;
    int maxSteps = cfg.epochs() * stepsPerEpoch;
    // An epoch-bounded run ends after its epochs (a resumed run may have been given more); only a
    // time-budgeted run keeps the plan it measured, from its checkpoint.
    if (cfg.budgetSeconds() <= 0) st.plannedSteps = maxSteps;
    LrSchedule sched = schedule(stepsPerEpoch, st.plannedSteps > 0 ? st.plannedSteps : maxSteps);
    BudgetPlanner planner = new BudgetPlanner(cfg.budgetSeconds(), stepsPerEpoch, maxSteps, quiet);
    long totalSamples = 0;
    long t0 = System.nanoTime();
    boolean select = selectsOnVal(val);
    if (!quiet && st.epochsDone == 0) System.err.println("model selection: " + selection(val));
    for (int epoch = st.epochsDone; epoch < Math.min(until, cfg.epochs()) && (st.plannedSteps == 0 || st.step < st.plannedSteps); epoch++) {
      if (select && cfg.patience() > 0 && st.bestEpoch > 0 && epoch - st.bestEpoch >= cfg.patience()) {
        // Early stopping (checked before each epoch, so a resumed run stops where an uninterrupted one did).
        if (!quiet) System.err.printf("early stop: val R@1 has not improved for %d epochs (best %.2f at epoch %d)%n", epoch - st.bestEpoch, st.bestR1, st.bestEpoch);
        break;
      }
      model.train(true);
      List<int[]> epochBatches = Batches.ofEpoch(train, bs, cfg.seed() * 1_000_003L + epoch);
      double lossSum = 0;
      int batches = 0;
      long e0 = System.nanoTime();
      try (ProgressBar pb = bar("epoch " + (epoch + 1) + "/" + cfg.epochs(), n)) {
        int s = 0;
        for (int[] idx : epochBatches) {
          if (st.plannedSteps > 0 && st.step >= st.plannedSteps) break;
          double lr = sched.lr(st.step + 1);
          double loss = trainStep(train, idx, lr);
          if (!Double.isFinite(loss))
            throw new TrainingDiverged("loss became " + loss + " at epoch " + (epoch + 1) + ", step " + (st.step + 1) + " (lr " + lr + "); "
                + (Files.exists(lastCheckpoint()) ? "the last good checkpoint " + lastCheckpoint() + " is unchanged" : "no checkpoint was written yet")
                + ". Lower --lr or raise the warm-up.");
          st.step++;
          int planned = planner.afterStep(st.step, st.plannedSteps);
          if (planned != st.plannedSteps) {
            st.plannedSteps = planned;
            sched = schedule(stepsPerEpoch, st.plannedSteps);
          }
          lossSum += loss;
          batches++;
          totalSamples += idx.length;
          if (pb != null) {
            pb.stepBy(idx.length);
            double secs = (System.nanoTime() - e0) / 1e9;
            pb.setExtraMessage(String.format(" loss %.3f  %.0f samples/s", lossSum / batches, (s + idx.length) / Math.max(1e-9, secs)));
          }
          s += idx.length;
        }
      }
      planner.epochStepsEnded();
      Map<String, Double> h = new LinkedHashMap<>();
      h.put("epoch", (double) (epoch + 1));
      h.put("loss", lossSum / Math.max(1, batches));
      boolean last = epoch + 1 == cfg.epochs() || (st.plannedSteps > 0 && st.step >= st.plannedSteps);
      if (val != null && val.size() > 0 && ((epoch + 1) % cfg.valEvery() == 0 || last)) {
        Metrics m = Evaluator.evaluate(model, ids.trie(), val, cfg.beam(), 256);
        h.put("valR1", m.r1());
        h.put("valMRR10", m.mrr10());
        // Model selection on val R@1, ties broken by MRR@10.
        if (select && (m.r1() > st.bestR1 || (m.r1() == st.bestR1 && m.mrr10() > st.bestMrr))) {
          st.bestR1 = m.r1();
          st.bestMrr = m.mrr10();
          st.bestEpoch = epoch + 1;
          checkpoint.saveBest();
        }
        if (!quiet) System.err.printf("epoch %d: loss %.4f, val R@1 %.2f, MRR@10 %.2f%s%n", epoch + 1, h.get("loss"), m.r1(), m.mrr10(), st.bestEpoch == epoch + 1 ? " (best)" : "");
      } else if (!quiet) {
        System.err.printf("epoch %d: loss %.4f%n", epoch + 1, h.get("loss"));
      }
      if (!select) {
        // Too few val queries to choose an epoch on: the kept weights are always the latest.
        st.bestEpoch = epoch + 1;
        checkpoint.saveBest();
      }
      int planned = planner.afterEpoch(st.step, st.plannedSteps, last);
      if (planned != st.plannedSteps) {
        st.plannedSteps = planned;
        sched = schedule(stepsPerEpoch, st.plannedSteps);
      }
      st.history.add(h);
      st.epochsDone = epoch + 1;
      checkpoint.saveLast(st, rng, opt);
    }
    if (!Files.exists(bestCheckpoint())) checkpoint.saveBest();
    double secs = (System.nanoTime() - t0) / 1e9;
    return new Result(st.epochsDone, st.bestR1, st.bestEpoch, List.copyOf(st.history), totalSamples / Math.max(1e-9, secs), selection(val));
  }

  private ProgressBar bar(String name, int n) {
    if (quiet) return null;
    return new ProgressBarBuilder().setTaskName(name).setInitialMax(n).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500)
        .setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
  }

  /** One optimisation step on the given rows (for benchmarks); returns the loss. */
  public double step(PairSet train, int[] rows, double lr) {
    return trainStep(train, rows, lr);
  }

  /** One optimisation step on the given training rows; returns the loss. */
  double trainStep(PairSet train, int[] rows, double lr) {
    // The step's activations, gradients and masks go back to the backend when it ends (on CUDA to the caching
    // allocator), not when the garbage collector finds them: parameters and Adam's moments live outside the scope.
    try (BufferScope scope = BufferScope.open()) {
      double v;
      if (parallel.shardsFor(rows.length) > 1) {
        v = parallel.forwardBackward(train, rows);
      } else {
        Tensor loss = loss(train, rows);
        v = loss.item();
        if (Double.isFinite(v)) loss.backward();
      }
      if (!Double.isFinite(v)) return v;
      opt.step(lr, cfg.clipNorm());
      opt.zeroGrad();
      return v;
    }
  }

  /** Eq. (8) on one batch (see {@link TrainingLoss}). */
  public Tensor loss(PairSet train, int[] rows) {
    return objective.of(train, rows);
  }

  public static DType dtype() {
    return CartModel.DTYPE;
  }
}
