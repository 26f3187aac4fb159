package org.cartengine.cart.data.importers;

import java.io.BufferedReader;
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
 * RFC 4180 CSV as the caption files of Clotho and AudioCaps are written: comma-separated, fields optionally in double
 * quotes, {@code ""} for a quote inside quotes, line breaks allowed inside quotes; the first record is the header.
 */
final class Csv {
  /** One record and the 1-based line it starts on. */
  record Row(int line, List<String> fields) {}

  final String file;
  final Map<String, Integer> columns = new HashMap<>();
  final List<Row> rows = new ArrayList<>();

  private Csv(String file) {
    this.file = file;
  }

  static Csv read(Path path) {
    Csv csv = new Csv(path.toString());
    try (BufferedReader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      csv.parse(r);
    } catch (IOException e) {
      throw DatasetException.at(path.toString(), "cannot read: " + e);
    }
    if (csv.rows.isEmpty()) throw DatasetException.at(csv.file, 1, "empty file (no header)");
    List<String> header = csv.rows.remove(0).fields();
    for (int i = 0; i < header.size(); i++) csv.columns.putIfAbsent(header.get(i).strip(), i);
    return csv;
  }

  /** The index of column {@code name}; fails naming the header line if there is none. */
  int column(String name) {
    Integer i = columns.get(name);
    if (i == null) throw DatasetException.at(file, 1, "no column \"" + name + "\" in the header " + columns.keySet());
    return i;
  }

  /** Field {@code col} of {@code row}, or fails naming the line. */
  String field(Row row, int col) {
    if (col >= row.fields().size()) {
      throw DatasetException.at(file, row.line(), "has " + row.fields().size() + " fields, expected at least "
          + (col + 1));
    }
    return row.fields().get(col);
  }

  private void parse(BufferedReader r) throws IOException {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    boolean fieldStarted = false;
    int line = 1;
    int recordLine = 1;
    int c = r.read();
    if (c == '\uFEFF') c = r.read();
    for (; c != -1; c = r.read()) {
      if (quoted) {
        if (c == '"') {
          r.mark(1);
          int next = r.read();
          if (next == '"') {
            field.append('"');
          } else {
            quoted = false;
            if (next != -1) r.reset();
          }
        } else {
          if (c == '\n') line++;
          field.append((char) c);
        }
        continue;
      }
      switch (c) {
        case '"' -> {
          if (field.length() > 0) throw DatasetException.at(file, line, "quote inside an unquoted field");
          quoted = true;
          fieldStarted = true;
        }
        case ',' -> {
          fields.add(field.toString());
          field.setLength(0);
          fieldStarted = true;
        }
        case '\r' -> { } // CRLF line ends
        case '\n' -> {
          if (fieldStarted || field.length() > 0 || !fields.isEmpty()) {
            fields.add(field.toString());
            rows.add(new Row(recordLine, fields));
          }
          fields = new ArrayList<>();
          field.setLength(0);
          fieldStarted = false;
          line++;
          recordLine = line;
        }
        default -> field.append((char) c);
      }
    }
    if (quoted) throw DatasetException.at(file, recordLine, "unterminated quoted field");
    if (fieldStarted || field.length() > 0 || !fields.isEmpty()) {
      fields.add(field.toString());
      rows.add(new Row(recordLine, fields));
    }
  }
}
