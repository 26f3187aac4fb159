package org.cartengine.cart.data;

import static org.cartengine.cart.data.Dataset.CAPTIONS;
import static org.cartengine.cart.data.Dataset.INFO;
import static org.cartengine.cart.data.Dataset.ITEMS_NPY;
import static org.cartengine.cart.data.Dataset.ITEMS_TSV;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.cartengine.engine.io.AtomicFiles;
import org.cartengine.engine.io.Manifest;

/**
 * Writes datasets in the directory format (package documentation): validated like a read, all files at once, with a
 * {@code SHA256SUMS} manifest that {@link Dataset#load} verifies.
 */
public final class DatasetWriter {
  private DatasetWriter() {}

  /** The files of a dataset in the order they are committed: dataset.json last, as it marks a complete dataset. */
  static final List<String> FILES = List.of(ITEMS_NPY, ITEMS_TSV, CAPTIONS, Manifest.NAME, INFO);

  /** {@link #write(Path, DatasetInfo, List, List, List, Embeddings, List, Npy.Dtype)} with float32 embeddings. */
  public static void write(Path dir, DatasetInfo info, List<String> ids, List<String> mediaPaths, List<String> labels,
      Embeddings emb, List<Caption> captions) {
    write(dir, info, ids, mediaPaths, labels, emb, captions, Npy.Dtype.F4);
  }

  /**
   * Validates and writes a dataset to {@code dir}, atomically: the files and their manifest are written and forced to
   * disk in a temporary directory next to {@code dir}, which is then renamed to {@code dir}. If {@code dir} already
   * holds other files (media, say), the files are moved in one by one instead, dataset.json and SHA256SUMS removed
   * first and put back last, so that an interrupted write leaves no dataset.json rather than a mix of old and new
   * files. A failed write (disk full, read-only directory) leaves {@code dir} as it was.
   *
   * @param info its dim and items must match {@code emb}, or both be 0 to be filled in
   * @param mediaPaths null for all empty
   * @param labels null for all empty
   * @param captions each names its item by {@code itemId}, or by {@code item} if itemId is null
   */
  public static void write(Path dir, DatasetInfo info, List<String> ids, List<String> mediaPaths, List<String> labels,
      Embeddings emb, List<Caption> captions, Npy.Dtype dtype) {
    String where = dir.toString();
    if (emb.rows() == 0) throw DatasetException.at(where, "0 items: a dataset needs at least one row");
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
    List<Caption> caps = Dataset.checkCaptions(captions, ids, index, dir.resolve(CAPTIONS).toString());
    Dataset.checkFinite(emb, ids, dir.resolve(ITEMS_NPY).toString());

    Path target = dir.toAbsolutePath().normalize();
    Path tmp = null;
    try {
      if (Files.exists(target) && !Files.isDirectory(target)) {
        throw DatasetException.at(where, "exists and is not a directory");
      }
      Files.createDirectories(target.getParent());
      AtomicFiles.removeStaleTemps(target);
      tmp = Files.createDirectory(AtomicFiles.tempFor(target));
      Npy.write(tmp.resolve(ITEMS_NPY), emb, dtype);
      try (Writer w = new OutputStreamWriter(Files.newOutputStream(tmp.resolve(ITEMS_TSV)), StandardCharsets.UTF_8)) {
        ItemsTsv.write(w, ids, mediaPaths, labels);
      }
      try (Writer w = new OutputStreamWriter(Files.newOutputStream(tmp.resolve(CAPTIONS)), StandardCharsets.UTF_8)) {
        CaptionsJsonl.write(w, caps);
      }
      Files.writeString(tmp.resolve(INFO), Json.PRETTY.toJson(info.toJson()) + "\n", StandardCharsets.UTF_8);
      for (String f : List.of(ITEMS_NPY, ITEMS_TSV, CAPTIONS, INFO)) AtomicFiles.fsync(tmp.resolve(f));
      Manifest.write(tmp, List.of(ITEMS_NPY, ITEMS_TSV, CAPTIONS, INFO));
      AtomicFiles.fsyncDir(tmp);
      commit(tmp, target);
      tmp = null;
    } catch (IOException e) {
      throw new DatasetException("cannot write " + where + ": " + AtomicFiles.describe(e), e);
    } finally {
      if (tmp != null) AtomicFiles.deleteTreeQuietly(tmp);
    }
  }

  /** Moves the written files from {@code tmp} into place (see {@link #write}). */
  private static void commit(Path tmp, Path target) throws IOException {
    if (Files.isDirectory(target) && isEmptyDir(target)) Files.delete(target);
    if (!Files.exists(target)) {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      AtomicFiles.fsyncDir(target.getParent());
      return;
    }
    // no dataset.json = no dataset, and no manifest = nothing to check against, until the last moves below
    Files.deleteIfExists(target.resolve(INFO));
    Files.deleteIfExists(target.resolve(Manifest.NAME));
    AtomicFiles.fsyncDir(target);
    for (String f : FILES) {
      Files.move(tmp.resolve(f), target.resolve(f), StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    }
    AtomicFiles.fsyncDir(target);
    Files.delete(tmp);
  }

  private static boolean isEmptyDir(Path dir) throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      return !s.iterator().hasNext();
    }
  }
}
