package org.cartengine.cart.data.importers;

import java.nio.file.Path;
import org.cartengine.cart.data.Npy;

/**
 * What every importer needs besides its caption files.
 *
 * @param embeddings the .npy of item embeddings ([N, D], '&lt;f4' or '&lt;f2')
 * @param names the sidecar naming the .npy's rows, one per line (unused by the Karpathy importer, whose rows follow
 *     the JSON's image order)
 * @param out the dataset directory to write
 * @param name dataset.json "name"; null for the importer's default
 * @param encoder how the embeddings were made, for dataset.json; null for a placeholder naming the file
 * @param source where the media came from; null for a default naming the input files
 * @param license may be null
 * @param media items.tsv media path pattern, {@code {name}} standing for the item's file or id; null for the
 *     importer's default
 * @param strict fail on a caption whose item has no embedding row, instead of skipping and counting it
 * @param dtype how to store the embeddings; null to keep the input's
 */
public record ImportOptions(Path embeddings, Path names, Path out, String name, String encoder, String source,
    String license, String media, boolean strict, Npy.Dtype dtype) {

  public ImportOptions {
    if (embeddings == null) throw new IllegalArgumentException("no embeddings .npy");
    if (out == null) throw new IllegalArgumentException("no output directory");
  }

  /** Minimal options: everything else defaulted. */
  public static ImportOptions of(Path embeddings, Path names, Path out) {
    return new ImportOptions(embeddings, names, out, null, null, null, null, null, false, null);
  }
}
