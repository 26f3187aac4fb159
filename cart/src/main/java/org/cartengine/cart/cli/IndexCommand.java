package org.cartengine.cart.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.data.DatasetException;
import org.cartengine.cart.ids.IdentifierBuilder;
import org.cartengine.cart.ids.IndexConfig;
import org.cartengine.cart.ids.IndexResult;
import org.cartengine.cart.ids.IndexStore;
import org.cartengine.cart.ids.ProgressListener;
import org.cartengine.cart.ids.SyntheticCorpus;
import org.cartengine.engine.backend.Backend;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cart index}: builds the semantic identifiers of a corpus (paper section 3.2), writes them with
 * the fitted models to a directory, and prints their statistics. With {@code --add}, items of the
 * corpus that the index in {@code --out} does not hold yet get identifiers from its saved models.
 */
@Command(name = "index", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Build semantic identifiers (k, v1..vM, u) for a dataset's items: K-Means coarse token, RQ-VAE fine tokens, unique token (paper 3.2).",
        "Writes OUT/identifiers.tsv, model.safetensors, trie.safetensors and index.json, and prints collision rate, codebook use and reconstruction error."})
public final class IndexCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  static final class Source {
    @Option(names = "--data", paramLabel = "DIR|NAME", description = "dataset directory or embedded dataset name (default: " + Main.DEFAULT_DATASET + ")")
    String data;

    @Option(names = "--synthetic", paramLabel = "N", description = "index N synthetic clustered-Gaussian items instead of a dataset")
    Integer synthetic;
  }

  @ArgGroup(exclusive = true)
  Source source = new Source();

  @Option(names = "--dim", paramLabel = "D", defaultValue = "1024", description = "embedding dimension of --synthetic (default: ${DEFAULT-VALUE})")
  int dim;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "index", description = "output directory (default: ${DEFAULT-VALUE})")
  Path out;

  @Option(names = "--add", description = "add the corpus's items missing from the index in --out, with its saved models (no refitting)")
  boolean add;

  @Mixin IndexOptions index = new IndexOptions();

  @Mixin DeviceOption device = new DeviceOption();

  @Option(names = "--epochs", hidden = true, paramLabel = "E", description = "the former name of --index-epochs")
  void epochs(int e) {
    index.indexEpochs = e;
  }

  @Option(names = "--lr", hidden = true, paramLabel = "LR", description = "the former name of --index-lr")
  void lr(double lr) {
    index.indexLr = lr;
  }

  @Option(names = "--batch-size", paramLabel = "B", description = "RQ-VAE batch size (default: ${DEFAULT-VALUE})")
  int batchSize = IndexOptions.DEFAULTS.batchSize;

  @Option(names = "--seed", paramLabel = "S", description = "random seed (default: ${DEFAULT-VALUE})")
  long seed = IndexOptions.DEFAULTS.seed;

  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut(), err = spec.commandLine().getErr();
    IndexConfig cfg;
    try {
      cfg = config();
    } catch (IllegalArgumentException e) {
      err.println("cart index: " + e.getMessage());
      return 2;
    }
    Corpus c;
    try {
      c = corpus(err);
    } catch (DatasetException e) {
      err.println("cart index: invalid dataset: " + e.getMessage());
      return 2;
    }
    try (WriterLock lock = WriterLock.acquire(out, "index")) {
      return write(c, cfg, o, err);
    }
  }

  private int write(Corpus c, IndexConfig cfg, PrintWriter o, PrintWriter err) throws Exception {
    Backend be = device.backend();
    long t0 = System.nanoTime();
    IndexResult r;
    if (add) {
      if (!Files.exists(out.resolve(IndexStore.INDEX_JSON))) {
        err.println("cart index --add: " + out + " holds no index (build one first without --add)");
        return 2;
      }
      IndexResult old = IndexStore.load(out, be);
      if (IndexConfig.SPACE_CAPTIONS.equals(old.config().space)) {
        // The identifiers were fitted on the mean caption embeddings of a run's items (384-d), not on item embeddings:
        // a new item's vector there needs the run's caption space and the text encoder, which index does not load.
        err.println("cart index --add: " + out + " holds identifiers built by `cart train` in the caption space; index --add places new items"
            + " by their item embeddings, so it adds only to an index built on them (`cart index` or `train --id-space items`); retrain to include new items");
        return 2;
      }
      Set<String> have = new HashSet<>(old.itemIds());
      List<Integer> rows = new ArrayList<>();
      for (int i = 0; i < c.ids.size(); i++) if (!have.contains(c.ids.get(i))) rows.add(i);
      float[] x = new float[rows.size() * c.dim];
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < rows.size(); i++) {
        System.arraycopy(c.x, rows.get(i) * c.dim, x, i * c.dim, c.dim);
        ids.add(c.ids.get(rows.get(i)));
      }
      try {
        r = old.add(ids, x, rows.size());
      } catch (IllegalArgumentException e) {
        err.println("cart index --add: " + e.getMessage());
        return 2;
      }
      o.printf(Locale.ROOT, "added %,d new items to %,d (%.1f s); existing identifiers unchanged%n", rows.size(), old.identifiers().size(), (System.nanoTime() - t0) / 1e9);
    } else {
      try (BarListener bar = new BarListener(err)) {
        r = IdentifierBuilder.build(c.x, c.ids.size(), c.dim, c.ids, cfg, bar, be);
      }
    }
    IndexStore.save(out, r);
    o.print(r.stats().table());
    o.printf(Locale.ROOT, "%-24s %s (identifiers.tsv, model.safetensors, trie.safetensors, index.json)%n", "wrote", out);
    o.printf(Locale.ROOT, "%-24s %,d MB (JVM heap in use at the end)%n", "memory", usedHeapMb());
    o.flush();
    return 0;
  }

  private IndexConfig config() {
    IndexConfig c = index.toConfig(seed);
    if (IndexConfig.SPACE_CAPTIONS.equals(c.space))
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "--id-space captions: identifiers in the caption space are built by `cart train` (it embeds the train captions first); index builds them on the item embeddings");
    c.batchSize = batchSize;
    return c.validate();
  }

  record Corpus(float[] x, int dim, List<String> ids) {}

  private Corpus corpus(PrintWriter err) {
    if (source.synthetic != null) {
      int n = source.synthetic;
      if (n < 1 || dim < 1) throw new IllegalArgumentException("--synthetic " + n + " --dim " + dim + ": both must be >= 1");
      long s = seed;
      err.printf(Locale.ROOT, "generating %,d synthetic items of dim %d (seed %d)%n", n, dim, s);
      err.flush();
      List<String> ids = new ArrayList<>(n);
      for (int i = 0; i < n; i++) ids.add("syn" + s + "-" + i);
      return new Corpus(SyntheticCorpus.generate(SyntheticCorpus.Spec.of(n, dim, s)), dim, ids);
    }
    Dataset d = Dataset.open(source.data == null ? Main.DEFAULT_DATASET : source.data);
    return new Corpus(d.embeddings().toArray(), d.dim(), d.ids());
  }

  private static long usedHeapMb() {
    Runtime rt = Runtime.getRuntime();
    return (rt.totalMemory() - rt.freeMemory()) >> 20;
  }

  /** Phases as lines on stderr; counted tasks (RQ-VAE steps) as a progress bar. */
  static final class BarListener implements ProgressListener, AutoCloseable {
    private final PrintWriter err;
    private ProgressBar bar;
    private final long t0 = System.nanoTime();

    BarListener(PrintWriter err) {
      this.err = err;
    }

    @Override
    public void phase(String name) {
      err.printf(Locale.ROOT, "[%6.1f s] %s%n", (System.nanoTime() - t0) / 1e9, name);
      err.flush();
    }

    @Override
    public void start(String task, long total) {
      bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
          .setConsumer(new ConsoleProgressBarConsumer(System.err)).setUpdateIntervalMillis(250).build();
    }

    @Override
    public void progress(long done, String status) {
      if (bar == null) return;
      bar.stepTo(done);
      bar.setExtraMessage(" " + status);
    }

    @Override
    public void end() {
      close();
    }

    @Override
    public void close() {
      if (bar != null) bar.close();
      bar = null;
    }
  }
}
