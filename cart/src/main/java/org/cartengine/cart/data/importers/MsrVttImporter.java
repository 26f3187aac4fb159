package org.cartengine.cart.data.importers;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cartengine.cart.data.DatasetException;
import org.cartengine.cart.data.Json;
import org.cartengine.cart.data.Split;

/**
 * MSR-VTT's annotation JSON ({@code train_val_videodatainfo.json}, {@code test_videodatainfo.json} or the combined
 * {@code videodatainfo.json}): {@code "videos": [{"video_id": "video0", "split": "train" | "validate" | "test"}, ...]}
 * and {@code "sentences": [{"video_id": "video0", "caption": "..."}, ...]}. Items are keyed by video id; the names
 * sidecar names the embedding rows ("video0" or "video0.mp4").
 *
 * <p>The official split is 6513 / 497 / 2990 videos. The paper's split (9k train, the 1k test of JSFusion) is
 * chosen with id lists: every video listed in {@code splitIds.get(s)} is put in split s, whatever the JSON says.
 */
public final class MsrVttImporter {
  private MsrVttImporter() {}

  public static ImportReport run(ImportOptions opt, List<Path> jsons, Map<Split, Path> splitIds) {
    ImportBuilder b = new ImportBuilder(opt).itemsFromNames(true, "");
    Map<String, Split> override = new HashMap<>();
    for (Map.Entry<Split, Path> e : splitIds.entrySet()) {
      for (String id : readIds(e.getValue())) override.put(id, e.getKey());
    }
    List<JsonObject> roots = new ArrayList<>();
    Map<String, Split> videoSplit = new HashMap<>();
    for (Path p : jsons) {
      JsonObject root = parse(p);
      roots.add(root);
      JsonArray videos = array(root, "videos", p);
      for (int i = 0; i < videos.size(); i++) {
        String where = p + ": videos[" + i + "]";
        JsonObject v = object(videos.get(i), where);
        String id = string(v, "video_id", where);
        String s = string(v, "split", where);
        Split split = switch (s) {
          case "train" -> Split.TRAIN;
          case "validate", "val" -> Split.VAL;
          case "test" -> Split.TEST;
          default -> throw new DatasetException(where + ": unknown split \"" + s + "\" (expected train, validate "
              + "or test)");
        };
        videoSplit.put(id, split);
      }
    }
    List<String> files = new ArrayList<>();
    for (int k = 0; k < jsons.size(); k++) {
      Path p = jsons.get(k);
      files.add(p.getFileName().toString());
      JsonArray sentences = array(roots.get(k), "sentences", p);
      for (int i = 0; i < sentences.size(); i++) {
        String where = p + ": sentences[" + i + "]";
        JsonObject s = object(sentences.get(i), where);
        String id = string(s, "video_id", where);
        Split split = override.getOrDefault(id, videoSplit.get(id));
        if (split == null) throw new DatasetException(where + ": video \"" + id + "\" is in no \"videos\" list");
        b.caption(id, string(s, "caption", where), split, where);
      }
    }
    return b.write("msrvtt", "video", "MSR-VTT annotations " + String.join(", ", files) + "; videos not included");
  }

  /** One video id per line; blank lines and a "video_id" header are skipped; ".mp4" and the like are ignored. */
  static List<String> readIds(Path file) {
    try {
      List<String> ids = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String id = RowNames.stripExtension(line.strip());
        if (!id.isEmpty() && !id.equals("video_id")) ids.add(id);
      }
      return ids;
    } catch (IOException e) {
      throw DatasetException.at(file.toString(), "cannot read: " + e);
    }
  }

  private static JsonObject parse(Path p) {
    try {
      JsonElement e = Json.parse(Files.readString(p, StandardCharsets.UTF_8), p.toString(), 1);
      return object(e, p.toString());
    } catch (IOException e) {
      throw DatasetException.at(p.toString(), "cannot read: " + e);
    }
  }

  private static JsonArray array(JsonObject o, String key, Path p) {
    if (!(o.get(key) instanceof JsonArray a)) throw DatasetException.at(p.toString(), "no \"" + key + "\" array");
    return a;
  }

  private static JsonObject object(JsonElement e, String where) {
    if (!(e instanceof JsonObject o)) throw new DatasetException(where + ": expected an object");
    return o;
  }

  private static String string(JsonObject o, String key, String where) {
    JsonElement e = o.get(key);
    if (e == null || !e.isJsonPrimitive()) throw new DatasetException(where + ": missing \"" + key + "\"");
    return e.getAsString();
  }
}
