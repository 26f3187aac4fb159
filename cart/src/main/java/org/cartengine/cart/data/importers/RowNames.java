package org.cartengine.cart.data.importers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cartengine.cart.data.DatasetException;

/**
 * The sidecar of an embeddings .npy that names its rows: line i (1-based) names row i - 1, as the first TAB-separated
 * column of the line (so a TSV of name and more works too). Names are matched exactly, or, with {@code stripExtension},
 * without a file extension ("video7.mp4" matches "video7").
 */
final class RowNames {
  final List<String> names;
  private final Map<String, Integer> rows = new HashMap<>();

  private RowNames(List<String> names) {
    this.names = names;
  }

  static RowNames read(Path file, int expectedRows, boolean stripExtension) {
    List<String> lines;
    try {
      lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw DatasetException.at(file.toString(), "cannot read: " + e);
    }
    while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) lines.remove(lines.size() - 1);
    if (!lines.isEmpty() && lines.get(0).startsWith("\uFEFF")) lines.set(0, lines.get(0).substring(1));
    if (lines.size() != expectedRows) {
      throw DatasetException.at(file.toString(), lines.size() + " names for the " + expectedRows
          + " rows of the embeddings");
    }
    List<String> names = new ArrayList<>();
    RowNames rn = new RowNames(names);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int tab = line.indexOf('\t');
      String name = (tab < 0 ? line : line.substring(0, tab)).strip();
      if (stripExtension) name = stripExtension(name);
      if (name.isEmpty()) throw DatasetException.at(file.toString(), i + 1, "empty name");
      Integer prev = rn.rows.putIfAbsent(name, i);
      if (prev != null) {
        throw DatasetException.at(file.toString(), i + 1, "duplicate name \"" + name + "\" (first on line "
            + (prev + 1) + ")");
      }
      names.add(name);
    }
    return rn;
  }

  /** The row named {@code name}, or -1. */
  int row(String name) {
    Integer r = rows.get(name);
    return r == null ? -1 : r;
  }

  static String stripExtension(String name) {
    int dot = name.lastIndexOf('.');
    int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
    return dot > slash + 1 && name.length() - dot <= 5 ? name.substring(0, dot) : name;
  }
}
