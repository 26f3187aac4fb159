package org.cartengine.cart.cli;

import org.cartengine.cart.UserError;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.cartengine.cart.data.Caption;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.data.Split;
import org.cartengine.cart.enhance.CaptionEnhancer;
import org.cartengine.cart.enhance.EnhanceConfig;
import org.cartengine.cart.enhance.Enhanced;
import org.cartengine.engine.backend.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cart enhance}: caption enhancement (paper Sec. 3.3), written out as a new dataset. */
@Command(name = "enhance", mixinStandardHelpOptions = true,
    description = {"Caption enhancement (paper Sec. 3.3): add pseudo-queries to the train split of a dataset and write "
        + "it to a new directory. Methods, named in each new caption's \"source\" field: neighbour-transfer (train "
        + "texts of the k nearest items by embedding cosine), recombination (pairs of an item's own keywords), "
        + "wordnet (a word of an item's own text replaced by a WordNet synonym or hypernym).",
        "Reads only train captions; val and test are copied unchanged."})
public final class EnhanceCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin DeviceOption device = new DeviceOption();

  @Option(names = "--data", required = true, paramLabel = "DIR",
      description = "a dataset directory, or the name of an embedded dataset (emoji)")
  String data;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "where to write the enhanced dataset")
  Path out;

  @Option(names = "--neighbours", paramLabel = "K", description = "neighbours whose texts are transferred (default: ${DEFAULT-VALUE})")
  int neighbours = EnhanceConfig.DEFAULT.neighbours();

  @Option(names = "--per-item", paramLabel = "N", description = "most pseudo-queries per item and method (default: ${DEFAULT-VALUE})")
  int perItem = EnhanceConfig.DEFAULT.perItem();

  @Option(names = "--seed", paramLabel = "S", description = "seed of the recombination and WordNet choices (default: ${DEFAULT-VALUE})")
  long seed = EnhanceConfig.DEFAULT.seed();

  @Option(names = "--max-exact", paramLabel = "N",
      description = "largest corpus for the exact O(N^2 D) neighbour search (default: ${DEFAULT-VALUE})")
  int maxExact = EnhanceConfig.DEFAULT_MAX_EXACT_ITEMS;

  @Option(names = "--neighbour-space", paramLabel = "SPACE",
      description = "where neighbour transfer finds an item's neighbours: captions (the mean pretrained-encoder embedding of each item's "
          + "train captions; items without one are placed by their look-alikes) or items (the item embeddings; as fast, and as good by val "
          + "caption matching on clipart-dev: bench/README.md). Default: ${DEFAULT-VALUE}.")
  String neighbourSpace = ITEMS;

  @Option(names = "--text-encoder", paramLabel = "NAME", description = "pretrained sentence encoder of the captions space (default: ${DEFAULT-VALUE})")
  String textEncoder = org.cartengine.cart.text.TextEncoders.MINILM;

  static final String CAPTIONS = "captions", ITEMS = "items";

  @Option(names = "--no-transfer", description = "skip caption transfer from neighbours")
  boolean noTransfer;

  @Option(names = "--no-recombination", description = "skip keyword recombination")
  boolean noRecombination;

  @Option(names = "--no-wordnet", description = "skip WordNet synonym/hypernym rewriting")
  boolean noWordnet;

  /** Examples printed per method. */
  static final int EXAMPLES = 3;

  @Override
  public Integer call() {
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      Dataset ds = Dataset.open(data);
      if (Files.isDirectory(Path.of(data)) && Files.exists(out) && Files.isSameFile(Path.of(data), out)) {
        err.println("--out must differ from --data: enhancement writes a new dataset");
        return 2;
      }
      EnhanceConfig cfg = new EnhanceConfig(neighbours, perItem, seed, !noTransfer, !noRecombination, !noWordnet,
          maxExact);
      if (!CAPTIONS.equals(neighbourSpace) && !ITEMS.equals(neighbourSpace))
        throw new UserError("--neighbour-space: unknown space '" + neighbourSpace + "' (known: " + CAPTIONS + ", " + ITEMS + ")");
      Backend be = device.backend();
      long t0 = System.nanoTime();
      org.cartengine.cart.data.Embeddings space = ds.embeddings();
      if (CAPTIONS.equals(neighbourSpace) && !noTransfer) {
        org.cartengine.cart.text.TextEmbedder enc = org.cartengine.cart.text.TextEncoders.load(textEncoder, be);
        if (enc == null) throw new UserError("--neighbour-space " + CAPTIONS + " needs a pretrained --text-encoder, not " + textEncoder);
        org.cartengine.cart.data.Embeddings items = ds.embeddings();
        var cs = org.cartengine.cart.text.CaptionSpace.build(enc, ds.captions(Split.TRAIN), items.toArray(), items.rows(), items.dim());
        space = org.cartengine.cart.data.Embeddings.of(cs.vectors(), cs.n(), cs.dim());
        o.printf("neighbour space: %s caption space of %,d items (%,d without a train caption placed by their look-alikes)%n", enc.name(), cs.n(),
            cs.n() - cs.captioned().cardinality());
      }
      Enhanced e = CaptionEnhancer.enhance(ds, cfg, be, space);
      double secs = (System.nanoTime() - t0) / 1e9;
      try (WriterLock lock = WriterLock.acquire(out, "enhance")) {
        e.dataset().save(out);
      }
      report(o, ds, e, be, secs);
      o.println("wrote " + out);
      o.flush();
      return 0;
    } catch (UserError | IllegalArgumentException | java.io.IOException ex) {
      o.flush();
      err.println("cart enhance: " + ex.getMessage());
      err.flush();
      return 2;
    }
  }

  /** Counts per method, items that had no train caption, and a few examples of each method. */
  static void report(PrintWriter o, Dataset before, Enhanced e, Backend be, double secs) {
    Dataset after = e.dataset();
    int[] trainBefore = perItem(before), trainAfter = perItem(after);
    int bare = 0, bareFilled = 0;
    for (int i = 0; i < before.size(); i++) {
      if (trainBefore[i] == 0) {
        bare++;
        if (trainAfter[i] > 0) bareFilled++;
      }
    }
    o.printf("%s: %d items, %d train captions; enhanced on %s in %.1f s%n", before.info().name(), before.size(),
        before.captions(Split.TRAIN).size(), be.name(), secs);
    o.printf("%-20s %10s%n", "method (source)", "added");
    for (Map.Entry<String, Integer> m : e.addedPerSource().entrySet()) o.printf("%-20s %10d%n", m.getKey(), m.getValue());
    o.printf("%-20s %10d%n", "total", e.added());
    o.printf("train captions %d -> %d; items without a train caption: %d, of which %d got some%n",
        before.captions(Split.TRAIN).size(), after.captions(Split.TRAIN).size(), bare, bareFilled);
    List<Caption> train = after.captions(Split.TRAIN);
    for (String source : CaptionEnhancer.SOURCES) {
      List<Caption> made = new ArrayList<>();
      for (Caption c : train) if (source.equals(c.source())) made.add(c);
      if (made.isEmpty()) continue;
      o.println("examples of " + source + ":");
      for (int x = 0; x < Math.min(EXAMPLES, made.size()); x++) {
        Caption c = made.get((int) ((long) x * made.size() / Math.min(EXAMPLES, made.size())));
        List<String> own = new ArrayList<>();
        for (Caption h : before.captions(Split.TRAIN)) {
          if (h.item() == c.item() && own.size() < 4) own.add(h.text());
        }
        String label = before.label(c.item()).isEmpty() ? "" : " " + before.label(c.item());
        o.printf("  %s%s  \"%s\"   (own train texts: %s)%n", c.itemId(), label, c.text(),
            own.isEmpty() ? "none" : String.join(" | ", own) + (trainBefore[c.item()] > own.size() ? " | ..." : ""));
      }
    }
  }

  private static int[] perItem(Dataset d) {
    int[] n = new int[d.size()];
    for (Caption c : d.captions(Split.TRAIN)) n[c.item()]++;
    return n;
  }
}
