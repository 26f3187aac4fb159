package org.cartengine.cart.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * captions.jsonl: one JSON object per line, {@code {"item": id, "text": caption, "split": "train"|"val"|"test"}}
 * plus an optional {@code "source"} string naming how a generated caption was made (absent for human captions).
 * Other keys are ignored. Blank lines are skipped.
 */
final class CaptionsJsonl {
  private CaptionsJsonl() {}

  static List<Caption> read(Lines in, String file, Map<String, Integer> index) throws IOException {
    List<Caption> out = new ArrayList<>();
    String line;
    int n = 0;
    while ((line = in.next()) != null) {
      n = in.number();
      if (n == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
      if (line.isBlank()) continue;
      JsonElement e = Json.parse(line, file, n);
      if (!(e instanceof JsonObject o)) {
        throw DatasetException.at(file, n, "expected a JSON object, got " + DatasetException.quote(e.toString()));
      }
      String id = string(o, "item", true, file, n);
      String text = string(o, "text", true, file, n);
      String splitName = string(o, "split", true, file, n);
      String source = string(o, "source", false, file, n);
      Split split = Split.fromJson(splitName);
      if (split == null) {
        throw DatasetException.at(file, n, "unknown split \"" + DatasetException.quote(splitName)
            + "\" (expected train, val or test)");
      }
      Integer item = index.get(id);
      if (item == null) throw DatasetException.at(file, n, "unknown item \"" + DatasetException.quote(id) + "\"");
      if (text.isBlank()) throw DatasetException.at(file, n, "empty text");
      out.add(new Caption(item, id, text, split, source));
    }
    return out;
  }

  static void write(Writer out, List<Caption> captions) throws IOException {
    for (Caption c : captions) {
      JsonObject o = new JsonObject();
      o.addProperty("item", c.itemId());
      o.addProperty("text", c.text());
      o.addProperty("split", c.split().json());
      if (c.source() != null) o.addProperty("source", c.source());
      out.write(Json.GSON.toJson(o));
      out.write('\n');
    }
  }

  private static String string(JsonObject o, String key, boolean required, String file, int line) {
    JsonElement e = o.get(key);
    if (e == null || e.isJsonNull()) {
      if (required) throw DatasetException.at(file, line, "missing \"" + key + "\"");
      return null;
    }
    if (!(e instanceof JsonPrimitive p) || !p.isString()) {
      throw DatasetException.at(file, line, "\"" + key + "\" must be a string, got " + DatasetException.quote(e.toString()));
    }
    return p.getAsString();
  }
}
