package org.cartengine.cart.data.importers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.cartengine.cart.data.Caption;
import org.cartengine.cart.data.DatasetWriter;
import org.cartengine.cart.data.DatasetException;
import org.cartengine.cart.data.DatasetInfo;
import org.cartengine.cart.data.Embeddings;
import org.cartengine.cart.data.Npy;
import org.cartengine.cart.data.Split;

/**
 * The part every importer shares: items are the rows of the embeddings .npy (memory-mapped and streamed to the output,
 * never held in the heap), captions are attached to rows by name, and the dataset is written with
 * {@link DatasetWriter#write}.
 */
final class ImportBuilder {
  private static final int EXAMPLES = 5;

  private final ImportOptions opt;
  final Embeddings emb;
  private final Npy.Dtype inputDtype;
  private final List<String> ids = new ArrayList<>();
  private final List<String> media = new ArrayList<>();
  private final List<Caption> captions = new ArrayList<>();
  private final boolean[] captioned;
  private RowNames names;
  private int skipped;
  private final List<String> skippedExamples = new ArrayList<>();
  private int empty;

  ImportBuilder(ImportOptions opt) {
    this.opt = opt;
    this.inputDtype = Npy.header(opt.embeddings()).dtype();
    this.emb = Npy.map(opt.embeddings());
    this.captioned = new boolean[emb.rows()];
  }

  /** Items named by the row-names sidecar (required), each with media {@code pattern} applied to its name. */
  ImportBuilder itemsFromNames(boolean stripExtension, String defaultMedia) {
    if (opt.names() == null) throw new DatasetException("--names: a file naming the rows of " + opt.embeddings()
        + " is required");
    names = RowNames.read(opt.names(), emb.rows(), stripExtension);
    for (String n : names.names) item(n, n, defaultMedia);
    return this;
  }

  /** Appends the item of the next row. */
  void item(String id, String mediaName, String defaultMedia) {
    if (ids.size() == emb.rows()) return; // the caller reports the count mismatch
    ids.add(id);
    String pattern = opt.media() != null ? opt.media() : defaultMedia;
    media.add(pattern.replace("{name}", mediaName));
  }

  int itemCount() {
    return ids.size();
  }

  /** A caption of the item in row {@code row}. */
  void caption(int row, String text, Split split) {
    String t = text == null ? "" : text.strip();
    if (t.isEmpty()) {
      empty++;
      return;
    }
    captions.add(new Caption(row, ids.get(row), t, split));
    captioned[row] = true;
  }

  /**
   * A caption of the item named {@code name} in the row names; {@code where} ("file:line" or "file: path") says
   * where it came from.
   */
  void caption(String name, String text, Split split, String where) {
    int row = names.row(name);
    if (row < 0) {
      if (opt.strict()) {
        throw new DatasetException(where + ": no row of " + opt.embeddings().getFileName() + " is named \"" + name
            + "\" in " + opt.names().getFileName() + " (--strict)");
      }
      skipped++;
      if (skippedExamples.size() < EXAMPLES && !skippedExamples.contains(name)) skippedExamples.add(name);
      return;
    }
    caption(row, text, split);
  }

  ImportReport write(String defaultName, String modality, String defaultSource) {
    if (ids.size() != emb.rows()) {
      throw DatasetException.at(opt.embeddings().toString(), emb.rows() + " rows but " + ids.size() + " items");
    }
    String encoder = opt.encoder() != null ? opt.encoder()
        : "embeddings imported from " + opt.embeddings().getFileName() + " (encoder not recorded: pass --encoder)";
    DatasetInfo info = DatasetInfo.of(opt.name() != null ? opt.name() : defaultName, modality, encoder,
        opt.source() != null ? opt.source() : defaultSource, opt.license());
    Npy.Dtype dtype = opt.dtype() != null ? opt.dtype() : inputDtype;
    Path out = opt.out();
    DatasetWriter.write(out, info, ids, media, null, emb, captions, dtype);
    Map<Split, Integer> counts = new EnumMap<>(Split.class);
    for (Split s : Split.values()) counts.put(s, 0);
    for (Caption c : captions) counts.merge(c.split(), 1, Integer::sum);
    int without = 0;
    for (boolean b : captioned) if (!b) without++;
    return new ImportReport(out, ids.size(), emb.dim(), counts, skipped, List.copyOf(skippedExamples), empty, without);
  }
}
