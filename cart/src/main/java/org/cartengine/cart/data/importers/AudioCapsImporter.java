package org.cartengine.cart.data.importers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cartengine.cart.data.Split;

/**
 * AudioCaps' caption CSVs ({@code train.csv}, {@code val.csv}, {@code test.csv}) with the header
 * {@code audiocap_id,youtube_id,start_time,caption}: one caption per line (five per clip in val and test). Items are
 * keyed by {@code youtube_id}; the names sidecar names the embedding rows by YouTube id (a file extension, as in
 * "abc.wav", is ignored). Clips no longer on YouTube have no row: their captions are skipped and counted, as the paper
 * does with the clips it could not download.
 */
public final class AudioCapsImporter {
  private AudioCapsImporter() {}

  public static ImportReport run(ImportOptions opt, Map<Split, Path> csvBySplit) {
    ImportBuilder b = new ImportBuilder(opt).itemsFromNames(true, "");
    List<String> files = new ArrayList<>();
    for (Map.Entry<Split, Path> e : csvBySplit.entrySet()) {
      Csv csv = Csv.read(e.getValue());
      files.add(e.getValue().getFileName().toString());
      int idCol = csv.column("youtube_id");
      int capCol = csv.column("caption");
      for (Csv.Row row : csv.rows) {
        b.caption(csv.field(row, idCol).strip(), csv.field(row, capCol), e.getKey(), csv.file + ":" + row.line());
      }
    }
    return b.write("audiocaps", "audio", "AudioCaps captions " + String.join(", ", files)
        + "; audio from YouTube, not included");
  }
}
