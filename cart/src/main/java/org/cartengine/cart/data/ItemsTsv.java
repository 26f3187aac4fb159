package org.cartengine.cart.data;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * items.tsv: line i describes row i of items.npy as {@code id TAB media-path [TAB label]}. The label is the rest of
 * the line and may itself contain TABs; a line holding only an id has an empty media path.
 */
final class ItemsTsv {
  private ItemsTsv() {}

  record Items(List<String> ids, List<String> mediaPaths, List<String> labels, Map<String, Integer> index) {}

  static Items read(Lines in, String file) throws IOException {
    // Packed columns: a catalogue of millions of items is served from these (see PackedStrings).
    PackedStrings ids = PackedStrings.indexed();
    PackedStrings media = PackedStrings.plain();
    PackedStrings labels = PackedStrings.plain();
    List<Integer> blankLines = new ArrayList<>();
    String line;
    int n = 0;
    while ((line = in.next()) != null) {
      n = in.number();
      if (n == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
      if (line.isEmpty()) { // allowed only as trailing lines
        blankLines.add(n);
        continue;
      }
      if (!blankLines.isEmpty()) throw DatasetException.at(file, blankLines.get(0), "empty id");
      int t1 = line.indexOf('\t');
      String id = t1 < 0 ? line : line.substring(0, t1);
      String rest = t1 < 0 ? "" : line.substring(t1 + 1);
      int t2 = rest.indexOf('\t');
      String path = t2 < 0 ? rest : rest.substring(0, t2);
      String label = t2 < 0 ? "" : rest.substring(t2 + 1);
      if (id.isEmpty()) throw DatasetException.at(file, n, "empty id");
      int prev = ids.indexOf(id);
      if (prev >= 0) {
        throw DatasetException.at(file, n, "duplicate id \"" + DatasetException.quote(id) + "\" (first on line "
            + (prev + 1) + ")");
      }
      ids.add(id);
      media.add(path);
      labels.add(label);
    }
    return new Items(ids.trim(), media.trim(), labels.trim(), ids.asIndex());
  }

  /** Checks what {@link #write} needs; {@code file} names the target in errors. */
  static Map<String, Integer> check(List<String> ids, List<String> media, List<String> labels, String file) {
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      int line = i + 1;
      if (id == null || id.isEmpty()) throw DatasetException.at(file, line, "empty id");
      if (id.indexOf('\t') >= 0) throw DatasetException.at(file, line, "id \"" + id + "\" contains a TAB");
      if (hasNewline(id)) throw DatasetException.at(file, line, "id \"" + id.strip() + "\" contains a line break");
      if (id.charAt(0) == '\uFEFF') throw DatasetException.at(file, line, "id starts with a byte order mark");
      Integer prev = index.putIfAbsent(id, i);
      if (prev != null) {
        throw DatasetException.at(file, line, "duplicate id \"" + id + "\" (first on line " + (prev + 1) + ")");
      }
      String m = media == null ? "" : nullToEmpty(media.get(i));
      if (m.indexOf('\t') >= 0 || hasNewline(m)) {
        throw DatasetException.at(file, line, "media path of \"" + id + "\" contains a TAB or line break");
      }
      String l = labels == null ? "" : nullToEmpty(labels.get(i));
      if (hasNewline(l)) throw DatasetException.at(file, line, "label of \"" + id + "\" contains a line break");
      if (!isValidUnicode(id) || !isValidUnicode(m) || !isValidUnicode(l)) {
        throw DatasetException.at(file, line, "not valid Unicode (unpaired surrogate)");
      }
    }
    return index;
  }

  static void write(Writer out, List<String> ids, List<String> media, List<String> labels) throws IOException {
    for (int i = 0; i < ids.size(); i++) {
      out.write(ids.get(i));
      out.write('\t');
      out.write(media == null ? "" : nullToEmpty(media.get(i)));
      String label = labels == null ? "" : nullToEmpty(labels.get(i));
      if (!label.isEmpty()) {
        out.write('\t');
        out.write(label);
      }
      out.write('\n');
    }
  }

  /** False if {@code s} holds an unpaired surrogate, which UTF-8 cannot encode. */
  static boolean isValidUnicode(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) i++;
      else if (Character.isSurrogate(c)) return false;
    }
    return true;
  }

  private static boolean hasNewline(String s) {
    return s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0;
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
