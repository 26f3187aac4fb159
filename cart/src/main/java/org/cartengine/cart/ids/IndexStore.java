package org.cartengine.cart.ids;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;
import org.cartengine.engine.io.AtomicFiles;
import org.cartengine.engine.io.Checksums;
import org.cartengine.engine.io.Manifest;
import org.cartengine.engine.io.Safetensors;
import org.cartengine.engine.io.SealedJson;

/**
 * An index on disk, one directory:
 * <ul>
 *   <li>{@code identifiers.tsv}: header {@code item_id k v1 v2 u} (tab-separated), then one row per item in index order;
 *   <li>{@code model.safetensors}: the fitted model (K-Means centroids, standardiser, RQ-VAE weights and codebooks, or the K-Means tree);
 *   <li>{@code trie.safetensors}: the prefix trie's flat arrays (I32), for readers outside this code; {@link #load} rebuilds the trie from the TSV;
 *   <li>{@code index.json}: format version, configuration, vocabulary sizes and the build statistics.
 * </ul>
 * Every file is written with {@link AtomicFiles}. A rewrite first removes SHA256SUMS and index.json, and writes them
 * last: a directory holding both is complete, and {@code SHA256SUMS} ({@link Manifest}) lists the checksum of every
 * other file, which {@link #load} verifies (the safetensors files and index.json also carry their own). An index
 * written before checksums existed has no SHA256SUMS; it is loaded with a warning.
 */
public final class IndexStore {
  public static final int FORMAT = 1;
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

  private IndexStore() {}

  /** Same as {@link #save(Path, IndexResult)}. */
  public static void save(IndexResult r, Path dir) throws IOException {
    save(dir, r);
  }

  /** The names of an index directory's files; every other class names them through these. */
  public static final String IDENTIFIERS_TSV = "identifiers.tsv";
  public static final String MODEL_WEIGHTS = "model.safetensors";
  public static final String TRIE_WEIGHTS = "trie.safetensors";
  public static final String INDEX_JSON = "index.json";

  /** The files of an index, in the order they are put in place (SHA256SUMS after them). */
  static final List<String> FILES = List.of(IDENTIFIERS_TSV, MODEL_WEIGHTS, TRIE_WEIGHTS, INDEX_JSON);

  /**
   * Writes the index in two phases: every file and the manifest are first staged beside their targets and forced to
   * disk (a full disk or a read-only directory fails here, with the old index untouched); then SHA256SUMS and
   * index.json are removed and the staged files renamed into place, index.json and SHA256SUMS last.
   */
  public static void save(Path dir, IndexResult r) throws IOException {
    Files.createDirectories(dir);
    Identifiers ids = r.identifiers();
    String[] names = columnNames(r.model());
    Map<String, Path> staged = new LinkedHashMap<>();
    Path manifest = null;
    try {
      staged.put(IDENTIFIERS_TSV, AtomicFiles.stage(dir.resolve(IDENTIFIERS_TSV), (AtomicFiles.StreamBody) out -> {
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        w.write("item_id");
        for (String c : names) w.write("\t" + c);
        w.write("\n");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ids.size(); i++) {
          sb.setLength(0);
          String id = r.itemIds().get(i);
          if (id.indexOf('\t') >= 0 || id.indexOf('\n') >= 0) throw new IOException("item id " + i + " contains a tab or newline: '" + id + "'");
          sb.append(id);
          for (int p = 0; p < ids.length(); p++) sb.append('\t').append(ids.token(i, p));
          w.write(sb.append('\n').toString());
        }
        w.flush();
      }));
      Map<String, String> meta = Map.of("format", "cart-index-model", "scheme", r.model().scheme().cliName);
      staged.put(MODEL_WEIGHTS, Safetensors.stage(dir.resolve(MODEL_WEIGHTS), r.model().tensors(), meta));
      staged.put(TRIE_WEIGHTS, Safetensors.stage(dir.resolve(TRIE_WEIGHTS), trieTensors(ids.trie()),
          Map.of("format", "cart-prefix-trie", "length", String.valueOf(ids.length()))));
      JsonObject json = new JsonObject();
      json.addProperty("format", FORMAT);
      json.addProperty("items", ids.size());
      json.addProperty("length", ids.length());
      json.add("vocab", GSON.toJsonTree(ids.vocabSizes()));
      json.add("columns", GSON.toJsonTree(names));
      json.add("config", JsonParser.parseString(r.config().toJson()));
      json.add("stats", GSON.toJsonTree(r.stats()));
      staged.put(INDEX_JSON, SealedJson.stage(dir.resolve(INDEX_JSON), json));
      manifest = AtomicFiles.stageBytes(dir.resolve(Manifest.NAME), Manifest.of(staged).getBytes(StandardCharsets.UTF_8));
      // From here until the manifest is back, the directory is not an index (no index.json), never a mix that loads.
      Files.deleteIfExists(dir.resolve(Manifest.NAME));
      Files.deleteIfExists(dir.resolve(INDEX_JSON));
      AtomicFiles.fsyncDir(dir);
      for (String f : FILES) AtomicFiles.commit(staged.get(f), dir.resolve(f));
      AtomicFiles.commit(manifest, dir.resolve(Manifest.NAME));
    } finally {
      for (Path t : staged.values()) Files.deleteIfExists(t);
      if (manifest != null) Files.deleteIfExists(manifest);
    }
  }

  public static IndexResult load(Path dir) throws IOException {
    return load(dir, Backends.get());
  }

  public static IndexResult load(Path dir, Backend be) throws IOException {
    Path jsonPath = dir.resolve(INDEX_JSON);
    if (!Files.exists(jsonPath)) throw new IOException(dir + ": not an index (no index.json; build one with cart index)");
    if (Manifest.verify(dir) == null) Checksums.warnUnverified(dir.resolve(Manifest.NAME).getParent());
    try {
      return read(dir, be, jsonPath);
    } catch (RuntimeException e) {
      throw new IOException(dir + ": malformed index: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), e);
    }
  }

  private static IndexResult read(Path dir, Backend be, Path jsonPath) throws IOException {
    JsonObject json = SealedJson.read(jsonPath);
    int format = json.get("format").getAsInt();
    if (format != FORMAT) throw new IOException(jsonPath + ": index format " + format + ", this build reads " + FORMAT);
    IndexConfig cfg = IndexConfig.fromJson(json.get("config").toString());
    int n = json.get("items").getAsInt(), len = json.get("length").getAsInt();
    int[] vocab = GSON.fromJson(json.get("vocab"), int[].class);
    IndexStats stats = GSON.fromJson(json.get("stats"), IndexStats.class);
    List<String> itemIds = new ArrayList<>(n);
    int[] tokens = new int[n * len];
    Path tsv = dir.resolve(IDENTIFIERS_TSV);
    try (BufferedReader rd = Files.newBufferedReader(tsv, StandardCharsets.UTF_8)) {
      String header = rd.readLine();
      if (header == null || header.split("\t").length != len + 1) throw new IOException(tsv + ": header '" + header + "' does not have item_id and " + len + " token columns");
      for (int i = 0; i < n; i++) {
        String line = rd.readLine();
        if (line == null) throw new IOException(tsv + ": " + i + " rows, index.json says " + n);
        String[] f = line.split("\t", -1);
        if (f.length != len + 1) throw new IOException(tsv + " line " + (i + 2) + ": " + f.length + " fields, expected " + (len + 1));
        itemIds.add(f[0]);
        for (int p = 0; p < len; p++) {
          try {
            tokens[i * len + p] = Integer.parseInt(f[p + 1]);
          } catch (NumberFormatException e) {
            throw new IOException(tsv + " line " + (i + 2) + ": token '" + f[p + 1] + "' is not an integer");
          }
        }
      }
      if (rd.readLine() != null) throw new IOException(tsv + ": more than the " + n + " rows index.json lists");
    }
    Path modelPath = dir.resolve(MODEL_WEIGHTS);
    IdentifierModel model = switch (cfg.scheme) {
      case CART, RQ_ONLY -> CoarseFineModel.load(Safetensors.read(modelPath, be), cfg, be, modelPath.toString());
      case HKMEANS -> HkMeansModel.load(Safetensors.read(modelPath, be), be, modelPath.toString());
      case ATOMIC -> new AtomicModel(cfg.atomicBase, cfg.atomicBase == 0 ? 1 : len);
    };
    Identifiers ids = new Identifiers(tokens, n, len, vocab);
    return new IndexResult(cfg, model, ids, itemIds, IndexStats.of(model, ids, stats));
  }

  static String[] columnNames(IdentifierModel model) {
    String[] sem = model.positionNames();
    if (!model.uniqueToken()) return sem;
    String[] out = java.util.Arrays.copyOf(sem, sem.length + 1);
    out[sem.length] = "u";
    return out;
  }

  private static Map<String, Tensor> trieTensors(PrefixTrie t) {
    Backend host = Backends.create("reference");
    Map<String, Tensor> m = new LinkedHashMap<>();
    PrefixTrie.Layout a = t.layout();
    m.put("token", Tensor.ofInts(host, a.token(), a.token().length));
    m.put("first_child", Tensor.ofInts(host, a.firstChild(), a.firstChild().length));
    m.put("child_count", Tensor.ofInts(host, a.childCount(), a.childCount().length));
    m.put("leaf_item", Tensor.ofInts(host, a.leafItem(), a.leafItem().length));
    return m;
  }
}
