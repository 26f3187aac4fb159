package org.cartengine.engine.io;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * JSON files that carry their SHA-256 as their first member ({@link Checksums}), written with {@link AtomicFiles}.
 * Readers get the object without that member.
 */
public final class SealedJson {
  private SealedJson() {}

  private static final Gson PRETTY = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping()
      .serializeSpecialFloatingPointValues().create();

  /** The file's text: {@code o} pretty-printed with {@code "sha256"} first. */
  public static byte[] bytes(JsonObject o) {
    JsonObject sealed = new JsonObject();
    sealed.addProperty(Checksums.FIELD, Checksums.ZERO);
    for (Map.Entry<String, JsonElement> e : o.entrySet()) {
      if (!e.getKey().equals(Checksums.FIELD)) sealed.add(e.getKey(), e.getValue());
    }
    return Checksums.seal((PRETTY.toJson(sealed) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  public static void write(Path file, JsonObject o) throws IOException {
    AtomicFiles.writeBytes(file, bytes(o));
  }

  /** {@link AtomicFiles#stage} of the file {@link #write} writes. */
  public static Path stage(Path file, JsonObject o) throws IOException {
    return AtomicFiles.stageBytes(file, bytes(o));
  }

  /** Reads, verifies and parses {@code file}; every failure is an IOException naming it. */
  public static JsonObject read(Path file) throws IOException {
    byte[] b;
    try {
      b = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IOException(file + ": missing");
    }
    Checksums.verify(b, file);
    try {
      JsonObject o = JsonParser.parseString(new String(b, StandardCharsets.UTF_8)).getAsJsonObject();
      o.remove(Checksums.FIELD);
      return o;
    } catch (RuntimeException e) {
      throw new IOException(file + ": not a JSON object: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), e);
    }
  }
}
