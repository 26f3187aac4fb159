package org.cartengine.cart.train;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.cartengine.cart.ids.Identifiers;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.model.QueryAligner;
import org.cartengine.cart.search.Evaluator;
import org.cartengine.cart.search.Metrics;
import org.cartengine.cart.search.QueryBatch;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.BufferScope;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.io.Safetensors;
import org.cartengine.engine.nn.Rng;
import org.cartengine.engine.ops.Softmax;
import org.cartengine.engine.optim.Adam;
import org.cartengine.engine.optim.LrSchedule;

/**
 * Trains the retriever on &lt;query, identifier&gt; pairs with loss (eq. 8) = cross-entropy over the
 * identifier tokens + omega * bidirectional KL between two dropout passes (R-Drop, eq. 7).
 *
 * <p>Checkpoints: after every epoch {@code last.safetensors} (model, Adam state, RNG counter, epoch)
 * is written atomically; {@code best.safetensors} holds the weights with the best validation R@1.
 * Resuming continues from the last completed epoch; since the batch order of an epoch is a function
 * of (seed, epoch) and dropout masks of (seed, counter), a resumed run equals an uninterrupted one.
 */
public final class Trainer {
  private final CartModel model;
  private final Identifiers ids;
  private final TrainConfig cfg;
  private final Path outDir;
  private final Rng rng;
  private final Adam opt;
  private final boolean quiet;
  private final List<Map<String, Double>> history = new ArrayList<>();
  private int epochsDone;
  private int step;
  /** Total optimiser steps of this run (0 until a time-budgeted run has timed its first steps). */
  private int plannedSteps;
  private double bestR1 = -1;
  private double bestMrr = -1;
  private int bestEpoch = -1;

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
    this.outDir = outDir;
    this.quiet = quiet;
    this.opt = new Adam(trainable(), 0.9, 0.98, 1e-9, 0.0);
  }

  /** The retriever's parameters, and the alignment head's under "align.". */
  private Map<String, Tensor> trainable() {
    Map<String, Tensor> p = new LinkedHashMap<>(model.parameters());
    if (align != null) align.head().parameters().forEach((k, v) -> p.put(ALIGN + k, v));
    return p;
  }

  private static final String ALIGN = "align.";

  /** Where the alignment head of the kept weights is written (beside best.safetensors). */
  public Path alignerCheckpoint() {
    return outDir.resolve("aligner.safetensors");
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
    return outDir.resolve("last.safetensors");
  }

  public Path bestCheckpoint() {
    return outDir.resolve("best.safetensors");
  }

  /** Loads last.safetensors if present; returns the number of completed epochs. */
  public int resume() throws IOException {
    Path f = lastCheckpoint();
    if (!Files.exists(f)) return 0;
    Map<String, String> meta = new HashMap<>();
    Map<String, Tensor> all = Safetensors.readWithMetadata(f, model.backend(), meta);
    try {
      return restore(f, all, meta);
    } catch (RuntimeException e) {
      // names the file; a checkpoint of another model says which tensor differs (Safetensors.loadInto)
      String msg = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
      throw new IOException(msg.startsWith(f.toString()) ? msg : f + ": not a checkpoint of this run: " + msg, e);
    }
  }

  private int restore(Path f, Map<String, Tensor> all, Map<String, String> meta) {
    Map<String, Tensor> params = new LinkedHashMap<>(), optim = new LinkedHashMap<>(), head = new LinkedHashMap<>();
    for (var e : all.entrySet()) {
      if (e.getKey().startsWith("model.")) params.put(e.getKey().substring(6), e.getValue());
      else if (e.getKey().startsWith("optim.")) optim.put(e.getKey().substring(6), e.getValue());
      else if (e.getKey().startsWith(ALIGN)) head.put(e.getKey().substring(ALIGN.length()), e.getValue());
    }
    Safetensors.loadInto(model, params, f.toString());
    if (align != null) Safetensors.loadInto(align.head(), head, f.toString());
    if (meta.get("trainer") == null) throw new IllegalArgumentException("no \"trainer\" state in its metadata");
    JsonObject st = JsonParser.parseString(meta.get("trainer")).getAsJsonObject();
    epochsDone = st.get("epoch").getAsInt();
    step = st.get("step").getAsInt();
    plannedSteps = st.has("plannedSteps") ? st.get("plannedSteps").getAsInt() : 0;
    bestR1 = st.get("bestR1").getAsDouble();
    bestMrr = st.has("bestMrr") ? st.get("bestMrr").getAsDouble() : -1;
    bestEpoch = st.get("bestEpoch").getAsInt();
    rng.setCounter(st.get("rngCounter").getAsLong());
    opt.loadState(optim, st.get("adamStep").getAsInt());
    history.clear();
    for (var h : st.getAsJsonArray("history")) {
      Map<String, Double> m = new LinkedHashMap<>();
      h.getAsJsonObject().entrySet().forEach(x -> m.put(x.getKey(), x.getValue().getAsDouble()));
      history.add(m);
    }
    return epochsDone;
  }

  /** Warm-up, then cosine cycles of restartEpochs epochs, or one cycle over the planned steps. */
  private LrSchedule schedule(int stepsPerEpoch, int totalSteps) {
    if (cfg.restartEpochs() <= 0) {
      int period = Math.max(1, totalSteps - cfg.warmupSteps());
      return LrSchedule.cosineWithRestarts(cfg.lr(), cfg.warmupSteps(), period, 1.0, cfg.minLr());
    }
    // Warm restarts every restartEpochs epochs (paper appendix C), aligned so that each cycle ends, at
    // the floor, on an epoch boundary where validation runs: the first cycle holds the warm-up.
    int warm = cfg.warmupSteps();
    int cycle = (int) Math.max(warm + 1, Math.round(cfg.restartEpochs() * stepsPerEpoch));
    double peak = cfg.lr(), floor = cfg.minLr();
    return step -> {
      if (step <= warm) return peak * step / Math.max(1, warm);
      double t, len;
      if (step <= cycle) {
        t = step - warm;
        len = cycle - warm;
      } else {
        t = (step - cycle - 1) % cycle + 1;
        len = cycle;
      }
      return floor + 0.5 * (peak - floor) * (1 + Math.cos(Math.PI * t / len));
    };
  }

  /**
   * A time-budgeted run times steps [WARMUP_STEPS_UNTIMED, CALIBRATION_END) (the first ones carry the
   * JIT's warm-up) and then fixes its length.
   */
  static final int WARMUP_STEPS_UNTIMED = 5;
  static final int CALIBRATION_END = 30;

  public Result train(PairSet train, PairSet val, List<String> unusedLabels) throws IOException {
    return train(train, val, cfg.epochs());
  }

  /** Trains up to epoch {@code until} (&lt;= the configured epochs); a later call continues, as after a kill. */
  Result train(PairSet train, PairSet val, int until) throws IOException {
    Files.createDirectories(outDir);
    int n = train.size();
    int bs = Math.min(cfg.batchSize(), n);
    int stepsPerEpoch = (n + bs - 1) / bs;
    int maxSteps = cfg.epochs() * stepsPerEpoch;
    // An epoch-bounded run ends after its epochs (a resumed run may have been given more); only a
    // time-budgeted run keeps the plan it measured, from its checkpoint.
    if (cfg.budgetSeconds() <= 0) plannedSteps = maxSteps;
    LrSchedule sched = schedule(stepsPerEpoch, plannedSteps > 0 ? plannedSteps : maxSteps);
    long totalSamples = 0;
    long t0 = System.nanoTime();
    int stepsThisCall = 0;
    long calibrationStart = t0;
    // A plan made in this call is checked once more after its first epoch, when the JIT has warmed up and one
    // validation pass has been timed (steps 5-30 run slower than the rest, so the first plan under-fills the budget).
    boolean replan = false;
    long calibrationEnd = 0, stepsEnd = 0;
    int calibrationEndStep = 0;
    boolean select = selectsOnVal(val);
    if (!quiet && epochsDone == 0) System.err.println("model selection: " + selection(val));
    for (int epoch = epochsDone; epoch < Math.min(until, cfg.epochs()) && (plannedSteps == 0 || step < plannedSteps); epoch++) {
      if (select && cfg.patience() > 0 && bestEpoch > 0 && epoch - bestEpoch >= cfg.patience()) {
        // Early stopping (checked before each epoch, so a resumed run stops where an uninterrupted one did).
        if (!quiet) System.err.printf("early stop: val R@1 has not improved for %d epochs (best %.2f at epoch %d)%n", epoch - bestEpoch, bestR1, bestEpoch);
        break;
      }
      model.train(true);
      List<int[]> epochBatches = batches(train, bs, cfg.seed() * 1_000_003L + epoch);
      double lossSum = 0;
      int batches = 0;
      long e0 = System.nanoTime();
      try (ProgressBar pb = bar("epoch " + (epoch + 1) + "/" + cfg.epochs(), n)) {
        int s = 0;
        for (int[] idx : epochBatches) {
          if (plannedSteps > 0 && step >= plannedSteps) break;
          double lr = sched.lr(step + 1);
          double loss = trainStep(train, idx, lr);
          if (!Double.isFinite(loss))
            throw new TrainingDiverged("loss became " + loss + " at epoch " + (epoch + 1) + ", step " + (step + 1) + " (lr " + lr + "); "
                + (Files.exists(lastCheckpoint()) ? "the last good checkpoint " + lastCheckpoint() + " is unchanged" : "no checkpoint was written yet")
                + ". Lower --lr or raise the warm-up.");
          step++;
          stepsThisCall++;
          if (plannedSteps == 0 && stepsThisCall == WARMUP_STEPS_UNTIMED) calibrationStart = System.nanoTime();
          if (plannedSteps == 0 && stepsThisCall == CALIBRATION_END) {
            // Time-budgeted run: fix the number of steps from the measured speed, then the cosine
            // schedule over exactly that many. A tenth of the budget is kept for validation passes.
            double secs = (System.nanoTime() - t0) / 1e9;
            double perStep = (System.nanoTime() - calibrationStart) / 1e9 / (CALIBRATION_END - WARMUP_STEPS_UNTIMED);
            long fit = step + (long) Math.floor((0.9 * cfg.budgetSeconds() - secs) / perStep);
            plannedSteps = (int) Math.max(step, Math.min(maxSteps, fit));
            sched = schedule(stepsPerEpoch, plannedSteps);
            replan = true;
            calibrationEnd = System.nanoTime();
            calibrationEndStep = step;
            if (!quiet) System.err.printf("%ntime budget %.0f s: %d steps planned (%.1f epochs at %.2f s/step)%n", cfg.budgetSeconds(), plannedSteps,
                plannedSteps / (double) stepsPerEpoch, perStep);
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
      stepsEnd = System.nanoTime();
      Map<String, Double> h = new LinkedHashMap<>();
      h.put("epoch", (double) (epoch + 1));
      h.put("loss", lossSum / Math.max(1, batches));
      boolean last = epoch + 1 == cfg.epochs() || (plannedSteps > 0 && step >= plannedSteps);
      if (val != null && val.size() > 0 && ((epoch + 1) % cfg.valEvery() == 0 || last)) {
        Metrics m = Evaluator.evaluate(model, ids.trie(), val, cfg.beam(), 256);
        h.put("valR1", m.r1());
        h.put("valMRR10", m.mrr10());
        // Model selection on val R@1, ties broken by MRR@10.
        if (select && (m.r1() > bestR1 || (m.r1() == bestR1 && m.mrr10() > bestMrr))) {
          bestR1 = m.r1();
          bestMrr = m.mrr10();
          bestEpoch = epoch + 1;
          saveWeights(bestCheckpoint());
        }
        if (!quiet) System.err.printf("epoch %d: loss %.4f, val R@1 %.2f, MRR@10 %.2f%s%n", epoch + 1, h.get("loss"), m.r1(), m.mrr10(), bestEpoch == epoch + 1 ? " (best)" : "");
      } else if (!quiet) {
        System.err.printf("epoch %d: loss %.4f%n", epoch + 1, h.get("loss"));
      }
      if (!select) {
        // Too few val queries to choose an epoch on: the kept weights are always the latest.
        bestEpoch = epoch + 1;
        saveWeights(bestCheckpoint());
      }
      if (replan && !last && step - calibrationEndStep >= CALIBRATION_END) {
        replan = false;
        long now = System.nanoTime();
        double perStep = (stepsEnd - calibrationEnd) / 1e9 / (step - calibrationEndStep);
        double valSecs = (now - stepsEnd) / 1e9;  // this epoch's validation pass and checkpoint
        double left = 0.97 * cfg.budgetSeconds() - (now - t0) / 1e9;
        long fit = step + (long) Math.floor(left / (stepsPerEpoch * perStep + valSecs) * stepsPerEpoch);
        int steps = (int) Math.max(step + 1, Math.min(maxSteps, fit));
        if (steps != plannedSteps) {
          plannedSteps = steps;
          sched = schedule(stepsPerEpoch, plannedSteps);
          if (!quiet) System.err.printf("time budget re-planned after epoch 1: %d steps (%.1f epochs at %.3f s/step, %.1f s per validation)%n",
              plannedSteps, plannedSteps / (double) stepsPerEpoch, perStep, valSecs);
        }
      }
      history.add(h);
      epochsDone = epoch + 1;
      saveLast();
    }
    if (!Files.exists(bestCheckpoint())) saveWeights(bestCheckpoint());
    double secs = (System.nanoTime() - t0) / 1e9;
    return new Result(epochsDone, bestR1, bestEpoch, List.copyOf(history), totalSamples / Math.max(1e-9, secs), selection(val));
  }

  private ProgressBar bar(String name, int n) {
    if (quiet) return null;
    return new ProgressBarBuilder().setTaskName(name).setInitialMax(n).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500)
        .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).build();
  }

  /**
   * The batches of one epoch, a function of the seed only (so a resumed run sees the same batches):
   * a shuffled order is cut into windows of 32 batches, each window is sorted by query length and cut
   * into batches, and the batch order is shuffled again. Batches of similar lengths waste little on
   * padding, which is most of the encoder's and the fusion's cost on short queries.
   */
  static List<int[]> batches(PairSet train, int bs, long seed) {
    int n = train.size();
    int[] order = shuffled(n, seed);
    int window = bs * 32;
    List<int[]> out = new ArrayList<>();
    for (int w = 0; w < n; w += window) {
      Integer[] win = new Integer[Math.min(n, w + window) - w];
      for (int i = 0; i < win.length; i++) win[i] = order[w + i];
      Arrays.sort(win, (a, b) -> Integer.compare(train.queries().get(a).length, train.queries().get(b).length));
      for (int s = 0; s < win.length; s += bs) {
        int[] b = new int[Math.min(win.length, s + bs) - s];
        for (int i = 0; i < b.length; i++) b[i] = win[s + i];
        out.add(b);
      }
    }
    int[] perm = shuffled(out.size(), seed ^ 0x5DEECE66DL);
    List<int[]> shuffledBatches = new ArrayList<>();
    for (int p : perm) shuffledBatches.add(out.get(p));
    return shuffledBatches;
  }

  public static int[] shuffledOrder(int n, long seed) {
    return shuffled(n, seed);
  }

  static int[] shuffled(int n, long seed) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) a[i] = i;
    Random r = new Random(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
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
      Tensor loss = loss(train, rows);
      double v = loss.item();
      if (!Double.isFinite(v)) return v;
      loss.backward();
      opt.step(lr, cfg.clipNorm());
      opt.zeroGrad();
      return v;
    }
  }

  /** Eq. (8) on one batch. With R-Drop the batch is duplicated so both dropout passes run as one forward. */
  public Tensor loss(PairSet train, int[] rows) {
    Backend be = model.backend();
    int b = rows.length, copies = cfg.rdrop() ? 2 : 1, j = ids.length();
    List<int[]> qs = new ArrayList<>();
    int[] targets = new int[copies * b * j];
    for (int c = 0; c < copies; c++) {
      for (int i = 0; i < b; i++) {
        qs.add(train.queries().get(rows[i]));
        int item = train.items()[rows[i]];
        for (int p = 0; p < j; p++) targets[(c * b + i) * j + p] = ids.token(item, p);
      }
    }
    QueryBatch q = QueryBatch.of(be, qs, model.cfg.maxQueryLength());
    Tensor tgt = Tensor.ofInts(be, targets, copies * b, j);
    CartModel.Encoded enc = model.encode(q.ids(), q.padding(), q.positions());
    Tensor hidden = model.decode(enc, j > 1 ? tgt.slice(1, 0, j - 1) : null, copies * b);
    Tensor total = null;
    for (int p = 0; p < j; p++) {
      Tensor logits = model.logits(hidden, p);
      Tensor target = tgt.slice(1, p, p + 1).reshape(copies * b);
      Tensor ce = Softmax.crossEntropy(logits, target, -1, cfg.labelSmoothing(), copies * b);
      Tensor term = ce;
      if (cfg.rdrop()) {
        Tensor lp = Softmax.logSoftmax(logits);
        Tensor p1 = lp.slice(0, 0, b), p2 = lp.slice(0, b, 2 * b);
        // Eq. (7): KL(P||Q) + KL(Q||P) between the two dropout passes.
        Tensor kl = Softmax.klDiv(p1, p2).add(Softmax.klDiv(p2, p1));
        term = term.add(kl.mul(cfg.omega()));
      }
      total = total == null ? term : total.add(term);
    }
    if (align != null) total = total.add(alignmentLoss(train, rows, enc, copies).mul(align.weight()));
    return total;
  }

  /**
   * In-batch InfoNCE of the alignment head against the fixed item embeddings, over the distinct items
   * of the batch (an item present twice is not its own negative); both R-Drop copies take part.
   */
  private Tensor alignmentLoss(PairSet train, int[] rows, CartModel.Encoded enc, int copies) {
    Backend be = model.backend();
    int b = rows.length;
    int[] rowItems = new int[copies * b];
    for (int r = 0; r < copies * b; r++) rowItems[r] = train.items()[rows[r % b]];
    org.cartengine.cart.baseline.InBatchItems in = org.cartengine.cart.baseline.InBatchItems.of(rowItems);
    Tensor it = org.cartengine.engine.ops.Embedding.lookup(align.items(), Tensor.ofInts(be, in.columns(), in.columns().length));
    Tensor logits = align.head().embed(enc).matmul(it.t()).mul(1.0 / org.cartengine.cart.search.AlignedTower.TEMPERATURE);
    return Softmax.crossEntropy(logits, Tensor.ofInts(be, in.targets(), copies * b), -1, 0, copies * b);
  }

  private void saveWeights(Path f) throws IOException {
    if (align != null) Safetensors.write(alignerCheckpoint(), align.head().parameters(), Map.of("alignment", Double.toString(align.weight())));
    Safetensors.write(f, model.parameters(), Map.of("config", model.cfg.toJson()));
  }

  private void saveLast() throws IOException {
    Map<String, Tensor> all = new LinkedHashMap<>();
    model.parameters().forEach((k, v) -> all.put("model." + k, v));
    opt.stateDict().forEach((k, v) -> all.put("optim." + k, v));
    if (align != null) align.head().parameters().forEach((k, v) -> all.put(ALIGN + k, v));
    JsonObject st = new JsonObject();
    st.addProperty("epoch", epochsDone);
    st.addProperty("step", step);
    st.addProperty("plannedSteps", plannedSteps);
    st.addProperty("bestR1", bestR1);
    st.addProperty("bestMrr", bestMrr);
    st.addProperty("bestEpoch", bestEpoch);
    st.addProperty("rngCounter", rng.counter());
    st.addProperty("adamStep", opt.stepCount());
    st.add("history", new Gson().toJsonTree(history));
    Safetensors.write(lastCheckpoint(), all, Map.of("trainer", st.toString(), "config", model.cfg.toJson()));
  }

  public static DType dtype() {
    return DType.F32;
  }
}
