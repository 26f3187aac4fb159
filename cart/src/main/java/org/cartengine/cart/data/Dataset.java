package org.cartengine.cart.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.IntStream;
import org.cartengine.engine.io.Manifest;

/**
 * A dataset in the directory format of this package's documentation (package-info.java, version 1):
 *
 * <pre>
 *   items.npy       [N, D] item embeddings, '&lt;f4' or '&lt;f2', C order (memory-mapped when read from a directory)
 *   items.tsv       line i: id TAB media path (relative, may be empty) [TAB free-form label]
 *   captions.jsonl  {"item": id, "text": ..., "split": "train"|"val"|"test"[, "source": how it was generated]}
 *   dataset.json    {"name", "modality", "dim", "items", "encoder", "source", "license", ...other keys kept}
 * </pre>
 *
 * <p>Reading validates everything the format requires and fails on the first problem with a {@link DatasetException}
 * naming the file and line: shapes that disagree (items.npy vs items.tsv vs dataset.json), NaN or infinite values,
 * empty or duplicate ids, captions of unknown items, unknown splits, malformed JSON, unsupported dtypes.
 *
 * <p>A directory written by this project also holds {@code SHA256SUMS} ({@link Manifest}); {@link #load} verifies it
 * and refuses a file that does not match. Writing is {@link DatasetWriter}'s.
 *
 * <p>Datasets are immutable. Item {@code i} is row {@code i} of {@link #embeddings()}.
 */
public final class Dataset {
  public static final String ITEMS_NPY = "items.npy";
  public static final String ITEMS_TSV = "items.tsv";
  public static final String CAPTIONS = "captions.jsonl";
  public static final String INFO = "dataset.json";
  /** Classpath folder of embedded datasets: {@code /datasets/<name>/}. */
  public static final String EMBEDDED_ROOT = "/datasets/";

  private final String origin;
  private final DatasetInfo info;
  private final Npy.Dtype dtype;
  private final List<String> ids;
  private final List<String> mediaPaths;
  private final List<String> labels;
  private final Map<String, Integer> index;
  private final Embeddings embeddings;
  private final List<Caption> captions;
  private final Map<Split, List<Caption>> bySplit;

  private Dataset(String origin, DatasetInfo info, Npy.Dtype dtype, List<String> ids, List<String> mediaPaths,
      List<String> labels, Map<String, Integer> index, Embeddings embeddings, List<Caption> captions) {
    this.origin = origin;
    this.info = info;
    this.dtype = dtype;
    this.ids = Collections.unmodifiableList(ids);
    this.mediaPaths = Collections.unmodifiableList(mediaPaths);
    this.labels = Collections.unmodifiableList(labels);
    this.index = index;
    this.embeddings = embeddings;
    this.captions = List.copyOf(captions);
    EnumMap<Split, List<Caption>> m = new EnumMap<>(Split.class);
    for (Split s : Split.values()) m.put(s, new ArrayList<>());
    for (Caption c : this.captions) m.get(c.split()).add(c);
    for (Split s : Split.values()) m.put(s, Collections.unmodifiableList(m.get(s)));
    this.bySplit = Collections.unmodifiableMap(m);
  }

  // ---- reading ---------------------------------------------------------------------------------------------------

  /** Reads and validates the dataset in directory {@code dir}; items.npy is memory-mapped, not copied. */
  public static Dataset load(Path dir) {
    if (!Files.isDirectory(dir)) throw DatasetException.at(dir.toString(), "no such dataset directory");
    try {
      Manifest.verify(dir); // datasets this project wrote carry SHA256SUMS; others have none
    } catch (IOException e) {
      throw new DatasetException(e.getMessage(), e);
    }
    return read(new DirSource(dir));
  }

  /**
   * Reads the dataset packaged as classpath resources under {@code /datasets/<name>/} (works from inside the jar:
   * resources are read as streams, items.npy into the heap).
   */
  public static Dataset loadEmbedded(String name) {
    if (!isEmbedded(name)) throw DatasetException.at(EMBEDDED_ROOT + name, "no embedded dataset of that name");
    return read(new ResourceSource(name));
  }

  /** Whether a dataset {@code name} is packaged on the classpath. */
  public static boolean isEmbedded(String name) {
    return !name.isEmpty() && name.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-' || c == '_')
        && Dataset.class.getResource(EMBEDDED_ROOT + name + "/" + INFO) != null;
  }

  /** The directory {@code dirOrName} if it is one, else the embedded dataset of that name. */
  public static Dataset open(String dirOrName) {
    Path p = Path.of(dirOrName);
    if (!Files.isDirectory(p) && isEmbedded(dirOrName)) return loadEmbedded(dirOrName);
    return load(p);
  }

  /** Where the files of a dataset come from. */
  private interface Source {
    /** How errors name {@code file}. */
    String name(String file);

    /** The bytes of a text file, buffered. */
    InputStream text(String file) throws IOException;

    Npy.Dtype dtype();

    Embeddings embeddings();
  }

  private record DirSource(Path dir) implements Source {
    @Override
    public String name(String file) {
      return dir.resolve(file).toString();
    }

    @Override
    public InputStream text(String file) throws IOException {
      Path p = dir.resolve(file);
      if (!Files.isRegularFile(p)) throw DatasetException.at(p.toString(), "missing");
      return new BufferedInputStream(Files.newInputStream(p), 1 << 16);
    }

    @Override
    public Npy.Dtype dtype() {
      return Npy.header(npy()).dtype();
    }

    @Override
    public Embeddings embeddings() {
      return Npy.map(npy());
    }

    private Path npy() {
      Path p = dir.resolve(ITEMS_NPY);
      if (!Files.isRegularFile(p)) throw DatasetException.at(p.toString(), "missing");
      return p;
    }
  }

  private record ResourceSource(String dataset) implements Source {
    @Override
    public String name(String file) {
      return "classpath:" + EMBEDDED_ROOT + dataset + "/" + file;
    }

    private InputStream open(String file) {
      InputStream in = Dataset.class.getResourceAsStream(EMBEDDED_ROOT + dataset + "/" + file);
      if (in == null) throw DatasetException.at(name(file), "missing");
      return in;
    }

    @Override
    public InputStream text(String file) {
      return new BufferedInputStream(open(file), 1 << 16);
    }

    @Override
    public Npy.Dtype dtype() {
      try (InputStream in = open(ITEMS_NPY)) {
        return Npy.readHeader(in, name(ITEMS_NPY)).dtype();
      } catch (IOException e) {
        throw DatasetException.at(name(ITEMS_NPY), "cannot read: " + e);
      }
    }

    @Override
    public Embeddings embeddings() {
      try (InputStream in = new BufferedInputStream(open(ITEMS_NPY), 1 << 16)) {
        return Npy.read(in, name(ITEMS_NPY));
      } catch (IOException e) {
        throw DatasetException.at(name(ITEMS_NPY), "cannot read: " + e);
      }
    }
  }

  private static Dataset read(Source src) {
    String infoFile = src.name(INFO);
    String tsvFile = src.name(ITEMS_TSV);
    String npyFile = src.name(ITEMS_NPY);
    try {
      DatasetInfo info;
      try (InputStream r = src.text(INFO)) {
        String text = Lines.readAll(r, infoFile);
        if (text.startsWith("\uFEFF")) text = text.substring(1); // a byte order mark is accepted
        JsonElement e = Json.parse(text, infoFile, 1);
        if (!(e instanceof JsonObject o)) throw DatasetException.at(infoFile, 1, "expected a JSON object");
        info = DatasetInfo.fromJson(o, infoFile);
      }
      Npy.Dtype dtype = src.dtype();
      Embeddings emb = src.embeddings();
      if (emb.rows() == 0) throw DatasetException.at(npyFile, "0 items: a dataset needs at least one row");
      if (info.dim() != emb.dim()) {
        throw DatasetException.at(infoFile, "\"dim\" is " + info.dim() + " but " + ITEMS_NPY + " has " + emb.dim()
            + " columns");
      }
      if (info.items() != emb.rows()) {
        throw DatasetException.at(infoFile, "\"items\" is " + info.items() + " but " + ITEMS_NPY + " has "
            + emb.rows() + " rows");
      }
      ItemsTsv.Items items;
      try (Lines r = new Lines(src.text(ITEMS_TSV), tsvFile)) {
        items = ItemsTsv.read(r, tsvFile);
      }
      if (items.ids().size() != emb.rows()) {
        if (items.ids().size() > emb.rows()) {
          throw DatasetException.at(tsvFile, emb.rows() + 1, "more items than the " + emb.rows() + " rows of "
              + ITEMS_NPY);
        }
        throw DatasetException.at(tsvFile, items.ids().size() + " items but " + ITEMS_NPY + " has " + emb.rows()
            + " rows");
      }
      checkFinite(emb, items.ids(), npyFile);
      List<Caption> caps;
      try (Lines r = new Lines(src.text(CAPTIONS), src.name(CAPTIONS))) {
        caps = CaptionsJsonl.read(r, src.name(CAPTIONS), items.index());
      }
      return new Dataset(src.name(""), info, dtype, items.ids(), items.mediaPaths(), items.labels(), items.index(),
          emb, caps);
    } catch (IOException e) {
      throw new DatasetException("cannot read " + src.name("") + ": " + e, e);
    } catch (UncheckedIOException e) {
      throw new DatasetException("cannot read " + src.name("") + ": " + e.getCause(), e);
    }
  }

  /** Fails on the first row (in row order) holding a NaN or infinity; rows are scanned in parallel. */
  static void checkFinite(Embeddings emb, List<String> ids, String npyFile) {
    int dim = emb.dim();
    ThreadLocal<float[]> buf = ThreadLocal.withInitial(() -> new float[dim]);
    OptionalInt bad = IntStream.range(0, emb.rows()).parallel().filter(i -> {
      float[] row = buf.get();
      emb.row(i, row, 0);
      for (float v : row) if (!Float.isFinite(v)) return true;
      return false;
    }).findFirst();
    if (bad.isPresent()) {
      int i = bad.getAsInt();
      float[] row = emb.row(i);
      int j = 0;
      while (Float.isFinite(row[j])) j++;
      String id = ids == null ? "" : " (id \"" + ids.get(i) + "\", " + ITEMS_TSV + " line " + (i + 1) + ")";
      throw DatasetException.at(npyFile, "row " + i + id + " has " + (Float.isNaN(row[j]) ? "NaN" : "an infinite value")
          + " at column " + j);
    }
  }

  // ---- accessors -------------------------------------------------------------------------------------------------

  public DatasetInfo info() {
    return info;
  }

  /** N, the number of items (rows of the embeddings). */
  public int size() {
    return ids.size();
  }

  /** D, the embedding dimension. */
  public int dim() {
    return embeddings.dim();
  }

  /** How items.npy stores its values. */
  public Npy.Dtype dtype() {
    return dtype;
  }

  /** The directory or classpath folder this dataset was read from ("" for one made in memory). */
  public String origin() {
    return origin;
  }

  public String id(int i) {
    return ids.get(i);
  }

  /** All ids, in row order. */
  public List<String> ids() {
    return ids;
  }

  /** Path of item {@code i}'s media relative to the dataset directory; "" if none. */
  public String mediaPath(int i) {
    return mediaPaths.get(i);
  }

  /** Item {@code i}'s free-form label, "" if none. */
  public String label(int i) {
    return labels.get(i);
  }

  /** The row of item {@code id}, or -1. */
  public int indexOf(String id) {
    Integer i = index.get(id);
    return i == null ? -1 : i;
  }

  public Embeddings embeddings() {
    return embeddings;
  }

  /** All captions in file order. */
  public List<Caption> captions() {
    return captions;
  }

  /** The captions of split {@code s}, in file order. */
  public List<Caption> captions(Split s) {
    return bySplit.get(s);
  }

  /**
   * The same items with other captions, e.g. with the pseudo-queries of caption enhancement added. Each caption's
   * {@code item} must be a row of this dataset; its {@code itemId} is filled in from it.
   */
  public Dataset withCaptions(List<Caption> newCaptions) {
    List<Caption> checked = checkCaptions(newCaptions, ids, index, CAPTIONS);
    return new Dataset(origin, info, dtype, ids, mediaPaths, labels, index, embeddings, checked);
  }

  /** Writes this dataset to {@code dir} ({@link DatasetWriter#write}), keeping its dtype. */
  public void save(Path dir) {
    DatasetWriter.write(dir, info, ids, mediaPaths, labels, embeddings, captions, dtype);
  }

  static List<Caption> checkCaptions(List<Caption> captions, List<String> ids, Map<String, Integer> index,
      String file) {
    List<Caption> out = new ArrayList<>(captions.size());
    int line = 0;
    for (Caption c : captions) {
      line++;
      int item;
      if (c.itemId() != null) {
        Integer i = index.get(c.itemId());
        if (i == null) throw DatasetException.at(file, line, "unknown item \"" + c.itemId() + "\"");
        item = i;
      } else {
        if (c.item() < 0 || c.item() >= ids.size()) {
          throw DatasetException.at(file, line, "item " + c.item() + " out of range [0, " + ids.size() + ")");
        }
        item = c.item();
      }
      if (c.split() == null) throw DatasetException.at(file, line, "no split");
      if (c.text() == null || c.text().isBlank()) throw DatasetException.at(file, line, "empty text");
      if (!ItemsTsv.isValidUnicode(c.text()) || (c.source() != null && !ItemsTsv.isValidUnicode(c.source()))) {
        throw DatasetException.at(file, line, "text is not valid Unicode (unpaired surrogate)");
      }
      out.add(new Caption(item, ids.get(item), c.text(), c.split(), c.source()));
    }
    return out;
  }

  @Override
  public String toString() {
    return "Dataset " + info.name() + " (" + info.modality() + ", " + size() + " x " + dim() + ", " + captions.size()
        + " captions, from " + origin + ")";
  }
}
