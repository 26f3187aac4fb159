package org.cartengine.cart.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.Map;
import java.util.Set;

/**
 * dataset.json: what the dataset is and where it came from.
 *
 * @param modality "image", "audio" or "video"
 * @param dim D, the number of columns of items.npy
 * @param items N, the number of rows of items.npy and lines of items.tsv
 * @param encoder how items.npy was made; may be null
 * @param source where the media came from; may be null
 * @param license the terms of the media and texts; may be null
 * @param extra every other key of dataset.json, kept as is and written back after the keys above
 */
public record DatasetInfo(String name, String modality, int dim, int items, String encoder, String source,
    String license, JsonObject extra) {

  static final Set<String> MODALITIES = Set.of("image", "audio", "video");
  private static final Set<String> KNOWN = Set.of("name", "modality", "dim", "items", "encoder", "source", "license");

  public DatasetInfo {
    extra = extra == null ? new JsonObject() : extra.deepCopy();
  }

  /** Info whose dim and items are left for {@link DatasetWriter#write} to fill in (both 0). */
  public static DatasetInfo of(String name, String modality, String encoder, String source, String license) {
    return new DatasetInfo(name, modality, 0, 0, encoder, source, license, null);
  }

  /** The same info with the given shape. */
  public DatasetInfo withShape(int dim, int items) {
    return new DatasetInfo(name, modality, dim, items, encoder, source, license, extra);
  }

  /** The same info with one more extra key (replacing any of that name). */
  public DatasetInfo withExtra(String key, JsonElement value) {
    if (KNOWN.contains(key)) throw new IllegalArgumentException("\"" + key + "\" is not an extra key");
    JsonObject e = extra.deepCopy();
    e.add(key, value);
    return new DatasetInfo(name, modality, dim, items, encoder, source, license, e);
  }

  @Override
  public JsonObject extra() {
    return extra.deepCopy(); // the record stays immutable
  }

  /** dataset.json's object: the known keys first, then the extra ones; null fields are left out. */
  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("name", name);
    o.addProperty("modality", modality);
    o.addProperty("dim", dim);
    o.addProperty("items", items);
    if (encoder != null) o.addProperty("encoder", encoder);
    if (source != null) o.addProperty("source", source);
    if (license != null) o.addProperty("license", license);
    for (Map.Entry<String, JsonElement> e : extra.entrySet()) o.add(e.getKey(), e.getValue().deepCopy());
    return o;
  }

  /** Parses dataset.json's object; {@code file} names it in errors. */
  static DatasetInfo fromJson(JsonObject o, String file) {
    JsonObject extra = new JsonObject();
    for (Map.Entry<String, JsonElement> e : o.entrySet()) {
      if (!KNOWN.contains(e.getKey())) extra.add(e.getKey(), e.getValue());
    }
    String name = string(o, "name", true, file);
    String modality = string(o, "modality", true, file);
    if (!MODALITIES.contains(modality)) {
      throw DatasetException.at(file, "unknown modality \"" + modality + "\" (expected image, audio or video)");
    }
    return new DatasetInfo(name, modality, integer(o, "dim", file), integer(o, "items", file),
        string(o, "encoder", false, file), string(o, "source", false, file), string(o, "license", false, file), extra);
  }

  private static String string(JsonObject o, String key, boolean required, String file) {
    JsonElement e = o.get(key);
    if (e == null || e.isJsonNull()) {
      if (required) throw DatasetException.at(file, "missing \"" + key + "\"");
      return null;
    }
    if (!(e instanceof JsonPrimitive p) || !p.isString()) {
      throw DatasetException.at(file, "\"" + key + "\" must be a string, got " + e);
    }
    return p.getAsString();
  }

  private static int integer(JsonObject o, String key, String file) {
    JsonElement e = o.get(key);
    if (e == null || e.isJsonNull()) throw DatasetException.at(file, "missing \"" + key + "\"");
    if (e instanceof JsonPrimitive p && p.isNumber()) {
      double d = p.getAsDouble();
      if (d >= 0 && d <= Integer.MAX_VALUE && d == Math.rint(d)) return (int) d;
    }
    throw DatasetException.at(file, "\"" + key + "\" must be a non-negative integer, got " + e);
  }
}
