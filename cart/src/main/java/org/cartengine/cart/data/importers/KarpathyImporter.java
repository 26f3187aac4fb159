package org.cartengine.cart.data.importers;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cartengine.cart.data.DatasetException;
import org.cartengine.cart.data.Json;
import org.cartengine.cart.data.Split;

/**
 * The Karpathy-split JSON of Flickr30K and MS-COCO ({@code dataset_flickr30k.json}, {@code dataset_coco.json}):
 *
 * <pre>
 * {"dataset": "coco", "images": [{"filepath": "val2014", "filename": "COCO_val2014_000000391895.jpg",
 *   "split": "train" | "restval" | "val" | "test", "sentences": [{"raw": "A man ...", "tokens": [...]}, ...]}, ...]}
 * </pre>
 *
 * Row i of the embeddings is image i of the JSON. Item ids are file names; media paths are
 * {@code filepath/filename}. "restval" (the COCO images outside the 5k val/test of the Karpathy split) counts as
 * train, as in the paper's 113,287 training images. Each image's sentences take its split. The file is streamed, so
 * the 150 MB COCO file needs no large heap.
 */
public final class KarpathyImporter {
  private KarpathyImporter() {}

  public static ImportReport run(ImportOptions opt, Path json) {
    ImportBuilder b = new ImportBuilder(opt);
    String file = json.toString();
    String dataset = null;
    int images = 0;
    try (Reader in = Files.newBufferedReader(json, StandardCharsets.UTF_8)) {
      JsonReader r = new JsonReader(in);
      r.setStrictness(Strictness.STRICT);
      try {
        r.beginObject();
        while (r.hasNext()) {
          String key = r.nextName();
          if (key.equals("images")) {
            r.beginArray();
            while (r.hasNext()) {
              JsonElement e = Json.GSON.getAdapter(JsonElement.class).read(r);
              image(b, e, images++, file, Json.line(r));
            }
            r.endArray();
          } else if (key.equals("dataset") && r.peek() == JsonToken.STRING) {
            dataset = r.nextString();
          } else {
            r.skipValue();
          }
        }
        r.endObject();
      } catch (IOException | JsonParseException | IllegalStateException e) {
        String msg = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        throw DatasetException.at(file, Json.line(r), "malformed JSON: " + msg);
      }
    } catch (IOException e) {
      throw DatasetException.at(file, "cannot read: " + e);
    }
    if (images != b.emb.rows()) {
      throw DatasetException.at(file, images + " images but " + opt.embeddings() + " has " + b.emb.rows()
          + " rows (row i must be the embedding of image i)");
    }
    String name = dataset != null ? dataset
        : json.getFileName().toString().replaceFirst("\\.json$", "").replaceFirst("^dataset_", "");
    return b.write(name, "image", "Karpathy split " + json.getFileName() + "; media not included");
  }

  private static void image(ImportBuilder b, JsonElement e, int index, String file, int line) {
    String where = "images[" + index + "]";
    if (!(e instanceof JsonObject o)) throw DatasetException.at(file, line, where + ": expected an object");
    String filename = string(o, "filename", file, line, where);
    if (filename == null) throw DatasetException.at(file, line, where + ": missing \"filename\"");
    where += " (\"" + filename + "\")";
    String filepath = string(o, "filepath", file, line, where);
    String splitName = string(o, "split", file, line, where);
    Split split = splitName == null ? null : switch (splitName) {
      case "train", "restval" -> Split.TRAIN;
      case "val" -> Split.VAL;
      case "test" -> Split.TEST;
      default -> null;
    };
    if (split == null) {
      throw DatasetException.at(file, line, where + ": unknown split \"" + splitName
          + "\" (expected train, restval, val or test)");
    }
    int row = b.itemCount();
    b.item(filename, filepath == null || filepath.isEmpty() ? filename : filepath + "/" + filename, "{name}");
    if (row >= b.emb.rows()) return; // more images than rows: reported after counting them all
    JsonElement sentences = o.get("sentences");
    if (sentences == null) return;
    if (!(sentences instanceof JsonArray arr)) {
      throw DatasetException.at(file, line, where + ": \"sentences\" must be an array");
    }
    for (JsonElement s : arr) {
      if (!(s instanceof JsonObject so)) throw DatasetException.at(file, line, where + ": a sentence is not an object");
      String raw = string(so, "raw", file, line, where);
      if (raw == null && so.get("tokens") instanceof JsonArray tokens) {
        List<String> words = new ArrayList<>();
        for (JsonElement t : tokens) words.add(t.getAsString());
        raw = String.join(" ", words);
      }
      b.caption(row, raw, split);
    }
  }

  private static String string(JsonObject o, String key, String file, int line, String where) {
    JsonElement e = o.get(key);
    if (e == null || e.isJsonNull()) return null;
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw DatasetException.at(file, line, where + ": \"" + key + "\" must be a string");
    }
    return e.getAsString();
  }
}
