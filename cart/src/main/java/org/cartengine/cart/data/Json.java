package org.cartengine.cart.data;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Strict JSON parsing with errors that name file and line, and the Gson used for writing. */
public final class Json {
  private Json() {}

  /** Writes UTF-8 text as is ("<" and "'" are not escaped: the files are data, not HTML). */
  public static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();
  public static final Gson PRETTY = new GsonBuilder().disableHtmlEscaping().setPrettyPrinting().create();

  private static final Pattern AT_LINE = Pattern.compile(" at line (\\d+) column (\\d+)(?: path \\S*)?");

  /**
   * Parses {@code text} as exactly one strict JSON value (RFC 8259: no comments, no single quotes, no trailing data).
   * Errors read {@code file:line: malformed JSON: ...}, with lines counted from {@code firstLine}.
   */
  public static JsonElement parse(String text, String file, int firstLine) {
    JsonReader r = new JsonReader(new StringReader(text));
    r.setStrictness(Strictness.STRICT);
    JsonElement e;
    try {
      e = GSON.getAdapter(JsonElement.class).read(r);
    } catch (IOException | JsonParseException | IllegalStateException ex) {
      throw error(String.valueOf(ex.getMessage()).lines().findFirst().orElse(""), file, firstLine);
    }
    boolean trailing;
    try {
      trailing = r.peek() != JsonToken.END_DOCUMENT;
    } catch (IOException | IllegalStateException ex) {
      trailing = true; // strict mode rejects a second top-level value
    }
    if (trailing) throw error("data after the value" + r, file, firstLine);
    return e;
  }

  /** {@code msg} as "file:line: malformed JSON: ... at column C", its Gson location turned into our line number. */
  /** The 1-based line a reader is at (Gson reports it only in its location string). */
  public static int line(JsonReader r) {
    Matcher m = AT_LINE.matcher(r.toString());
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  private static DatasetException error(String msg, String file, int firstLine) {
    int line = firstLine;
    Matcher m = AT_LINE.matcher(msg);
    if (m.find()) {
      line = firstLine + Integer.parseInt(m.group(1)) - 1;
      msg = msg.substring(0, m.start()) + " at column " + m.group(2) + msg.substring(m.end());
    }
    return DatasetException.at(file, line, "malformed JSON: " + msg.strip());
  }
}
