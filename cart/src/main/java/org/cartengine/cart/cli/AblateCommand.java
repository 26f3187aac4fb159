package org.cartengine.cart.cli;

import org.cartengine.cart.UserError;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.ids.IndexConfig;
import org.cartengine.cart.ids.Scheme;
import org.cartengine.cart.report.Table;
import org.cartengine.cart.train.CartPipeline;
import org.cartengine.cart.run.RunDir;
import org.cartengine.engine.backend.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The paper's Table 4 on any dataset: the full model and one row per removed component, same seed and epochs. */
@Command(name = "ablate", mixinStandardHelpOptions = true,
    description = "Run the paper's Table 4 ablations (w/o consistency loss, w/o fusion, w/o K-Means, w/o RQ-VAE) plus atomic identifiers, and print one table.")
public final class AblateCommand implements Callable<Integer> {
  @Option(names = "--data", description = "Dataset directory or 'emoji' (default: ${DEFAULT-VALUE}).")
  String data = Main.DEFAULT_DATASET;

  @Option(names = {"--out", "-o"}, description = "Directory for the runs (default: runs/<dataset>-ablate).")
  Path out;

  @Option(names = "--rows", split = ",", description = "Rows to run (default: all): cart, no-rdrop, no-fusion, rq-only, hkmeans, atomic.")
  List<String> rows = List.of("cart", "no-rdrop", "no-fusion", "rq-only", "hkmeans", "atomic");

  @Option(names = "--baseline", split = ",", description = "Baseline rows to add: caption-match (no training; needs the pretrained text encoder), "
      + "dual-tower (trained for the first row's training time beside it). Default: none.")
  List<String> baselines = List.of();

  @Mixin ModelOptions model = new ModelOptions();
  @Mixin IndexOptions index = new IndexOptions();
  @Mixin DeviceOption device = new DeviceOption();

  static final String CAPTION_MATCH = "caption-match", DUAL_TOWER = "dual-tower";
  static final Map<String, String> LABELS = new LinkedHashMap<>();

  static {
    LABELS.put("cart", "CART (semantic ids)");
    LABELS.put("no-rdrop", "w/o consistency loss");
    LABELS.put("no-fusion", "w/o fusion strategy");
    LABELS.put("rq-only", "w/o K-Means (rq-only ids)");
    LABELS.put("hkmeans", "w/o RQ-VAE (hierarchical K-Means ids)");
    LABELS.put("atomic", "CART (atomic ids)");
  }

  @Override
  public Integer call() throws Exception {
    if (!index.isAuto() && !index.scheme.equals(Scheme.CART.cliName)) throw new IllegalArgumentException("--scheme: each of --rows sets its own scheme");
    Dataset ds = Dataset.open(data);
    Backend be = device.backend();
    Path root = out != null ? out : Path.of("runs", ds.info().name() + "-ablate");
    for (String row : rows)
      if (!LABELS.containsKey(row)) throw new UserError("--rows: unknown row '" + row + "' (known: " + LABELS.keySet() + ")");
    for (String b : baselines)
      if (!b.equals(CAPTION_MATCH) && !b.equals(DUAL_TOWER)) throw new UserError("--baseline: unknown baseline '" + b + "' (known: " + CAPTION_MATCH + ", " + DUAL_TOWER + ")");
    if (baselines.contains(CAPTION_MATCH) && org.cartengine.cart.text.TextEncoders.SCRATCH.equals(model.textEncoder))
      throw new UserError("--baseline " + CAPTION_MATCH + " needs the pretrained text encoder (--text-encoder " + org.cartengine.cart.text.TextEncoders.MINILM + ")");
    try (WriterLock lock = WriterLock.acquire(root, "ablate")) {
      return ablate(ds, be, root);
    }
  }

  private int ablate(Dataset ds, Backend be, Path root) throws Exception {
    Table t = new Table("setting", "R@1", "R@5", "R@10", "MRR@10", "train s");
    List<String> done = new ArrayList<>();
    org.cartengine.cart.text.TextEmbedder text = org.cartengine.cart.text.TextEncoders.load(model.textEncoder, be);
    CartPipeline.Outcome first = null;
    for (String row : rows) {
      ModelOptions m = copy(model);
      IndexConfig idx = index.toConfig(m.seed);
      if (index.isAutoSpace() && text != null) idx.space = IndexConfig.SPACE_CAPTIONS;
      switch (row) {
        case "no-rdrop" -> m.noRdrop = true;
        case "no-fusion" -> m.noFusion = true;
        case "rq-only", "hkmeans", "atomic" -> idx.scheme = Scheme.parse(row);
        default -> { }
      }
      System.err.println("== ablation row: " + LABELS.get(row));
      CartPipeline.Outcome o;
      try (WriterLock rowLock = WriterLock.acquire(root.resolve(row), "ablate")) {
        o = CartPipeline.run(ds, data, new RunDir(root.resolve(row)), idx.validate(), TrainCommand.spec(m),
            TrainCommand.trainConfig(m), false, first == null && baselines.contains(DUAL_TOWER), text, be, System.err);
      }
      if (first == null) first = o;
      t.row(LABELS.get(row), o.cart().r1(), o.cart().r5(), o.cart().r10(), o.cart().mrr10(), String.format("%.0f", o.trainSeconds()));
      done.add(row);
      System.err.println(t);
    }
    // The baselines come with the first row's run: the caption space it built, the dual tower trained beside it.
    if (first != null && baselines.contains(CAPTION_MATCH) && first.captionMatch() != null) {
      var c = first.captionMatch();
      t.row("caption match (" + first.textEncoder() + ", no training)", c.r1(), c.r5(), c.r10(), c.mrr10(), "0");
    }
    if (first != null && baselines.contains(DUAL_TOWER) && first.dualTower() != null) {
      var d = first.dualTower();
      t.row("dual tower" + (text != null ? " (frozen " + text.name() + " + trained projections)" : ""), d.r1(), d.r5(), d.r10(), d.mrr10(),
          String.format("%.0f", first.dualTraining().seconds()));
    }
    String budget = model.minutes > 0 ? String.format("%.1f-minute training budget per row", model.minutes) : model.epochs + " epochs per row";
    System.out.println("Ablations on " + ds.info().name() + " (" + budget + ", seed " + model.seed + "):");
    System.out.println(t);
    RunDir.writeAtomic(root.resolve("ablation.md"), t.toString());
    return 0;
  }

  static ModelOptions copy(ModelOptions m) {
    ModelOptions c = new ModelOptions();
    for (var f : ModelOptions.class.getFields()) {
      try {
        f.set(c, f.get(m));
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }
    return c;
  }
}
