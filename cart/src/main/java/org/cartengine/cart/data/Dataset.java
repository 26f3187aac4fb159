package org.cartengine.cart.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.IntStream;
import java.util.stream.Stream;

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

    BufferedReader text(String file) throws IOException;

    Npy.Dtype dtype();

    Embeddings embeddings();
  }

  private record DirSource(Path dir) implements Source {
    @Override
    public String name(String file) {
      return dir.resolve(file).toString();
    }

    @Override
    public BufferedReader text(String file) throws IOException {
      Path p = dir.resolve(file);
      if (!Files.isRegularFile(p)) throw DatasetException.at(p.toString(), "missing");
      return Files.newBufferedReader(p, StandardCharsets.UTF_8); // reports malformed UTF-8
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
    public BufferedReader text(String file) {
      return new BufferedReader(new InputStreamReader(open(file), StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)));
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
      try (BufferedReader r = src.text(INFO)) {
        JsonElement e = Json.parse(readAll(r), infoFile, 1);
        if (!(e instanceof JsonObject o)) throw DatasetException.at(infoFile, 1, "expected a JSON object");
        info = DatasetInfo.fromJson(o, infoFile);
      }
      Npy.Dtype dtype = src.dtype();
      Embeddings emb = src.embeddings();
      if (info.dim() != emb.dim()) {
        throw DatasetException.at(infoFile, "\"dim\" is " + info.dim() + " but " + ITEMS_NPY + " has " + emb.dim()
            + " columns");
      }
      if (info.items() != emb.rows()) {
        throw DatasetException.at(infoFile, "\"items\" is " + info.items() + " but " + ITEMS_NPY + " has "
            + emb.rows() + " rows");
      }
      ItemsTsv.Items items;
      try (BufferedReader r = src.text(ITEMS_TSV)) {
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
      try (BufferedReader r = src.text(CAPTIONS)) {
        caps = CaptionsJsonl.read(r, src.name(CAPTIONS), items.index());
      }
      return new Dataset(src.name(""), info, dtype, items.ids(), items.mediaPaths(), items.labels(), items.index(),
          emb, caps);
    } catch (CharacterCodingException e) {
      throw new DatasetException("a text file of " + src.name("") + " is not valid UTF-8: " + e);
    } catch (IOException e) {
      throw new DatasetException("cannot read " + src.name("") + ": " + e, e);
    } catch (UncheckedIOException e) {
      throw new DatasetException("cannot read " + src.name("") + ": " + e.getCause(), e);
    }
  }

  private static String readAll(BufferedReader r) throws IOException {
    StringBuilder sb = new StringBuilder();
    char[] buf = new char[8192];
    for (int n; (n = r.read(buf)) > 0; ) sb.append(buf, 0, n);
    if (sb.length() > 0 && sb.charAt(0) == '\uFEFF') sb.deleteCharAt(0);
    return sb.toString();
  }

  /** Fails on the first row (in row order) holding a NaN or infinity; rows are scanned in parallel. */
  private static void checkFinite(Embeddings emb, List<String> ids, String npyFile) {
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

  /** Writes this dataset to {@code dir} (see {@link #write}), keeping its dtype. */
  public void save(Path dir) {
    write(dir, info, ids, mediaPaths, labels, embeddings, captions, dtype);
  }

  // ---- writing ---------------------------------------------------------------------------------------------------

  /** {@link #write(Path, DatasetInfo, List, List, List, Embeddings, List, Npy.Dtype)} with float32 embeddings. */
  public static void write(Path dir, DatasetInfo info, List<String> ids, List<String> mediaPaths, List<String> labels,
      Embeddings emb, List<Caption> captions) {
    write(dir, info, ids, mediaPaths, labels, emb, captions, Npy.Dtype.F4);
  }

  /**
   * Validates and writes a dataset to {@code dir}, atomically: the files are written into a temporary directory next
   * to {@code dir}, which is then renamed to {@code dir}. If {@code dir} already holds other files (media, say), the
   * four files are moved in one by one instead, dataset.json removed first and put back last, so that an interrupted
   * write leaves no dataset.json rather than a mix of old and new files.
   *
   * @param info its dim and items must match {@code emb}, or both be 0 to be filled in
   * @param mediaPaths null for all empty
   * @param labels null for all empty
   * @param captions each names its item by {@code itemId}, or by {@code item} if itemId is null
   */
  public static void write(Path dir, DatasetInfo info, List<String> ids, List<String> mediaPaths, List<String> labels,
      Embeddings emb, List<Caption> captions, Npy.Dtype dtype) {
    String where = dir.toString();
    if (ids.size() != emb.rows()) {
      throw DatasetException.at(where, ids.size() + " ids for " + emb.rows() + " rows of embeddings");
    }
    if (mediaPaths != null && mediaPaths.size() != ids.size()) {
      throw DatasetException.at(where, mediaPaths.size() + " media paths for " + ids.size() + " ids");
    }
    if (labels != null && labels.size() != ids.size()) {
      throw DatasetException.at(where, labels.size() + " labels for " + ids.size() + " ids");
    }
    if (info.dim() == 0 && info.items() == 0) info = info.withShape(emb.dim(), emb.rows());
    String infoFile = dir.resolve(INFO).toString();
    if (info.dim() != emb.dim() || info.items() != emb.rows()) {
      throw DatasetException.at(infoFile, "dim " + info.dim() + " and items " + info.items()
          + " do not match the embeddings' shape (" + emb.rows() + ", " + emb.dim() + ")");
    }
    if (info.name() == null) throw DatasetException.at(infoFile, "missing \"name\"");
    if (!DatasetInfo.MODALITIES.contains(info.modality())) {
      throw DatasetException.at(infoFile, "unknown modality \"" + info.modality() + "\"");
    }
    Map<String, Integer> index = ItemsTsv.check(ids, mediaPaths, labels, dir.resolve(ITEMS_TSV).toString());
    List<Caption> caps = checkCaptions(captions, ids, index, dir.resolve(CAPTIONS).toString());
    checkFinite(emb, ids, dir.resolve(ITEMS_NPY).toString());

    Path target = dir.toAbsolutePath().normalize();
    Path tmp = null;
    try {
      if (Files.exists(target) && !Files.isDirectory(target)) {
        throw DatasetException.at(where, "exists and is not a directory");
      }
      Files.createDirectories(target.getParent());
      tmp = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".tmp-");
      Npy.write(tmp.resolve(ITEMS_NPY), emb, dtype);
      try (Writer w = Files.newBufferedWriter(tmp.resolve(ITEMS_TSV), StandardCharsets.UTF_8)) {
        ItemsTsv.write(w, ids, mediaPaths, labels);
      }
      try (Writer w = Files.newBufferedWriter(tmp.resolve(CAPTIONS), StandardCharsets.UTF_8)) {
        CaptionsJsonl.write(w, caps);
      }
      Files.writeString(tmp.resolve(INFO), Json.PRETTY.toJson(info.toJson()) + "\n", StandardCharsets.UTF_8);
      for (String f : List.of(ITEMS_NPY, ITEMS_TSV, CAPTIONS, INFO)) sync(tmp.resolve(f));
      commit(tmp, target);
      tmp = null;
    } catch (IOException e) {
      throw new DatasetException("cannot write " + where + ": " + e, e);
    } finally {
      if (tmp != null) deleteTree(tmp);
    }
  }

  private static void commit(Path tmp, Path target) throws IOException {
    if (Files.isDirectory(target) && isEmptyDir(target)) Files.delete(target);
    if (!Files.exists(target)) {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      return;
    }
    Files.deleteIfExists(target.resolve(INFO)); // no dataset.json = no dataset, until the last move below
    for (String f : List.of(ITEMS_NPY, ITEMS_TSV, CAPTIONS, INFO)) {
      Files.move(tmp.resolve(f), target.resolve(f), StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    }
    Files.delete(tmp);
  }

  private static List<Caption> checkCaptions(List<Caption> captions, List<String> ids, Map<String, Integer> index,
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

  private static void sync(Path p) throws IOException {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  private static boolean isEmptyDir(Path dir) throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      return !s.iterator().hasNext();
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    } catch (NoSuchFileException ignored) {
      // already gone
    } catch (IOException ignored) {
      // best effort: a leftover hidden temp directory is harmless
    }
  }

  @Override
  public String toString() {
    return "Dataset " + info.name() + " (" + info.modality() + ", " + size() + " x " + dim() + ", " + captions.size()
        + " captions, from " + origin + ")";
  }
}
