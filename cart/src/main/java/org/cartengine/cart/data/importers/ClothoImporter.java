package org.cartengine.cart.data.importers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cartengine.cart.data.Split;

/**
 * Clotho's caption CSVs, one per split ({@code clotho_captions_development.csv} = train,
 * {@code clotho_captions_validation.csv} = val, {@code clotho_captions_evaluation.csv} = test), with the header
 * {@code file_name,caption_1,...,caption_5}. Item ids are the audio file names, which must name the rows of the
 * embeddings in the names sidecar. Media paths default to the file name.
 */
public final class ClothoImporter {
  private ClothoImporter() {}

  public static ImportReport run(ImportOptions opt, Map<Split, Path> csvBySplit) {
    ImportBuilder b = new ImportBuilder(opt).itemsFromNames(false, "{name}");
    List<String> files = new ArrayList<>();
    for (Map.Entry<Split, Path> e : csvBySplit.entrySet()) {
      Csv csv = Csv.read(e.getValue());
      files.add(e.getValue().getFileName().toString());
      int nameCol = csv.column("file_name");
      List<Integer> capCols = new ArrayList<>();
      csv.columns.forEach((col, i) -> {
        if (col.startsWith("caption")) capCols.add(i);
      });
      capCols.sort(null);
      if (capCols.isEmpty()) csv.column("caption_1"); // fails naming the header
      for (Csv.Row row : csv.rows) {
        String name = csv.field(row, nameCol).strip();
        for (int c : capCols) {
          String text = c < row.fields().size() ? row.fields().get(c) : "";
          b.caption(name, text, e.getKey(), csv.file + ":" + row.line());
        }
      }
    }
    return b.write("clotho", "audio", "Clotho captions " + String.join(", ", files) + "; media not included");
  }
}
