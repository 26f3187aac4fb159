package org.cartengine.cart.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.ids.IndexConfig;
import org.cartengine.cart.ids.IndexStore;
import org.cartengine.cart.report.Table;
import org.cartengine.cart.train.CartPipeline;
import org.cartengine.cart.run.RunDir;
import org.cartengine.cart.train.SchemeChoice;
import org.cartengine.cart.train.TrainConfig;
import org.cartengine.cart.train.TrainingDiverged;
import org.cartengine.engine.backend.Backend;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Build identifiers (if missing), train the CART retriever, evaluate it on the test captions and compare with a dual-tower baseline trained for the same time.")
public final class TrainCommand implements Callable<Integer> {
  @Option(names = "--data", description = "Dataset directory, or 'emoji' for the embedded dataset (default: ${DEFAULT-VALUE}).")
  String data = Main.DEFAULT_DATASET;

  @Option(names = {"--out", "-o"}, description = "Run directory (default: runs/<dataset>).")
  Path out;

  @Option(names = "--resume", description = "Continue from the run directory's last checkpoint.")
  boolean resume;

  @Option(names = "--no-baseline", description = "Skip the dual-tower baseline.")
  boolean noBaseline;

  @Option(names = "--enhance", description = "Caption enhancement first (paper 3.3): add neighbour-transfer, recombination and WordNet pseudo-queries to the train split (see `cart enhance`).")
  boolean enhance;

  @Option(names = "--uncaptioned-queries", paramLabel = "N", description = "Pseudo-queries for each item without a train caption, "
      + "by neighbour transfer (the train captions of its nearest captioned items by embedding, paper 3.3), so that the "
      + "retriever learns to generate every item in the corpus; items with captions keep exactly their own; 0 = off "
      + "(default: ${DEFAULT-VALUE}; --enhance does this and more for every item).")
  int uncaptionedQueries = 3;

  @Mixin ModelOptions model = new ModelOptions();
  @Mixin IndexOptions index = new IndexOptions();
  @Mixin DeviceOption device = new DeviceOption();

  /** The identifier settings, with {@code --scheme auto} resolved on this dataset (after enhancement, which adds train captions). */
  private IndexConfig indexConfig(Dataset ds, RunDir run, boolean textEncoder) {
    IndexConfig c = index.toConfig(model.seed);
    if (index.isAutoSpace() && textEncoder) c.space = IndexConfig.SPACE_CAPTIONS;
    if (!index.isAuto()) return c;
    Path saved = run.index().resolve(IndexStore.INDEX_JSON);
    if (resume && Files.exists(saved)) {
      // A resumed run keeps the scheme it was started with (runs from before `auto` used the paper's identifiers).
      try {
        IndexConfig was = IndexStore.load(run.index()).config();
        c.scheme = was.scheme;
        if (index.isAutoSpace()) c.space = was.space;
        System.err.println("identifier scheme: " + c.scheme + " (auto: kept from the run being resumed)");
        return c.validate();
      } catch (IOException | RuntimeException e) {
        System.err.println("identifier scheme: cannot read " + run.index() + " (" + e.getMessage() + "), choosing afresh");
      }
    }
    SchemeChoice.Choice ch = SchemeChoice.auto(ds);
    c.scheme = ch.scheme();
    System.err.println("identifier scheme: " + ch.scheme() + " (auto: " + ch.reason() + ")");
    return c.validate();
  }

  @Override
  public Integer call() throws Exception {
    Dataset ds = Dataset.open(data);
    Backend be = device.backend();
    if (enhance) {
      long t0 = System.nanoTime();
      org.cartengine.cart.enhance.Enhanced e = org.cartengine.cart.enhance.CaptionEnhancer.enhance(ds,
          org.cartengine.cart.enhance.EnhanceConfig.DEFAULT.withSeed(model.seed), be);
      java.io.PrintWriter w = new java.io.PrintWriter(System.err, true);
      EnhanceCommand.report(w, ds, e, be, (System.nanoTime() - t0) / 1e9);
      ds = e.dataset();
    } else if (uncaptionedQueries > 0) {
      ds = withUncaptionedQueries(ds, be);
    }
    RunDir run = new RunDir(out != null ? out : Path.of("runs", ds.info().name() + (enhance ? "-enhanced" : "")));
    TrainConfig tc = trainConfig(model);
    CartPipeline.ModelSpec spec = spec(model);
    CartPipeline.Outcome o;
    try (WriterLock lock = WriterLock.acquire(run.dir, "train")) {
      org.cartengine.cart.text.TextEmbedder text = org.cartengine.cart.text.TextEncoders.load(model.textEncoder, be);
      o = CartPipeline.run(ds, data, run, indexConfig(ds, run, text != null), spec, tc, resume, !noBaseline, text, be, System.err);
    } catch (TrainingDiverged e) {
      System.err.println("error: " + e.getMessage());
      return 3;
    }
    System.out.println();
    System.out.println("Test retrieval on " + ds.info().name() + " (" + o.cart().queries() + " queries, " + ds.size() + " items), backend " + be.name() + ":");
    System.out.println(resultTable(o));
    System.out.printf("training: %.0f s (%.0f samples/s), kept epoch %d of %d (%s); identifiers: %.1f s%n", o.trainSeconds(),
        o.training().samplesPerSecond(), o.training().bestEpoch(), o.training().epochs(), o.training().selection(), o.indexSeconds());
    if (o.rerank() != null) System.out.println("re-rank: " + CartPipeline.shortNote(o.rerankNote()));
    Path png = run.trainingPlot();
    System.out.println("wrote " + run.metrics() + (Files.exists(png) ? ", " + png : "") + ", " + run.best());
    return 0;
  }

  /** {@code ds} with neighbour-transfer pseudo-queries for its items without a train caption (unchanged when it has none). */
  private Dataset withUncaptionedQueries(Dataset ds, Backend be) {
    long t0 = System.nanoTime();
    try {
      org.cartengine.cart.enhance.Enhanced e = org.cartengine.cart.enhance.CaptionEnhancer.enhance(ds,
          org.cartengine.cart.enhance.EnhanceConfig.UNCAPTIONED.withPerItem(uncaptionedQueries).withSeed(model.seed), be);
      if (e.added() == 0) return ds;
      System.err.printf("uncaptioned items: %,d neighbour-transfer pseudo-queries added for the items without a train caption (%.1f s; --uncaptioned-queries 0 for none)%n",
          e.added(), (System.nanoTime() - t0) / 1e9);
      return e.dataset();
    } catch (IllegalArgumentException tooLarge) {
      System.err.println("uncaptioned items: no pseudo-queries: " + tooLarge.getMessage());
      return ds;
    }
  }

  static Table resultTable(CartPipeline.Outcome o) {
    Table t = new Table("method", "R@1", "R@5", "R@10", "MRR@10", "queries/s", "train s");
    t.row(o.method(), o.cart().r1(), o.cart().r5(), o.cart().r10(), o.cart().mrr10(), String.format("%.0f", o.cartQps()), String.format("%.0f", o.trainSeconds()));
    if (o.rerank() != null)
      t.row(o.method() + " + re-rank", o.rerank().r1(), o.rerank().r5(), o.rerank().r10(), o.rerank().mrr10(), String.format("%.0f", o.rerankQps()),
          String.format("%.0f", o.trainSeconds() + (o.rerankNote().startsWith("dual") ? o.dualTraining().seconds() : 0)));
    if (o.captionMatch() != null)
      t.row("caption match (" + o.textEncoder() + ")", o.captionMatch().r1(), o.captionMatch().r5(), o.captionMatch().r10(), o.captionMatch().mrr10(),
          String.format("%.0f", o.captionQps()), "0");
    if (o.dualTower() != null)
      t.row("dual tower", o.dualTower().r1(), o.dualTower().r5(), o.dualTower().r10(), o.dualTower().mrr10(), String.format("%.0f", o.dualQps()),
          String.format("%.0f", o.dualTraining().seconds()));
    return t;
  }

  static TrainConfig trainConfig(ModelOptions m) {
    TrainConfig d = TrainConfig.defaults();
    return new TrainConfig(m.epochs, m.batchSize, m.lr, m.lr * 0.01, m.warmupSteps, m.restartEpochs, m.seed, !m.noRdrop, m.omega, m.labelSmoothing,
        d.clipNorm(), m.beam, d.valEvery(), m.minutes * 60, m.patience);
  }

  static CartPipeline.ModelSpec spec(ModelOptions m) {
    return new CartPipeline.ModelSpec(m.dModel, m.heads, m.ffn, m.encoderLayers, m.decoderLayers, m.dropout, m.maxQueryLength, !m.noFusion, m.vocab,
        m.alignWeight, !m.scratchQueryEmbeddings, m.textLayers);
  }
}
