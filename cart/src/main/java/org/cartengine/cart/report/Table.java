package org.cartengine.cart.report;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table with aligned columns (also printable as Markdown for the README). */
public final class Table {
  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  public Table(String... header) {
    this.header = List.of(header);
  }

  public Table row(Object... cells) {
    List<String> r = new ArrayList<>();
    for (Object c : cells) r.add(c instanceof Double d ? String.format("%.2f", d) : String.valueOf(c));
    rows.add(r);
    return this;
  }

  private int[] widths() {
    int[] w = new int[header.size()];
    for (int i = 0; i < w.length; i++) w[i] = header.get(i).length();
    for (List<String> r : rows) for (int i = 0; i < r.size(); i++) w[i] = Math.max(w[i], r.get(i).length());
    return w;
  }

  /** Markdown pipe table, aligned so it also reads well in a terminal. */
  @Override
  public String toString() {
    int[] w = widths();
    StringBuilder sb = new StringBuilder();
    line(sb, header, w);
    sb.append('|');
    for (int x : w) sb.append(' ').append("-".repeat(x)).append(" |");
    sb.append('\n');
    for (List<String> r : rows) line(sb, r, w);
    return sb.toString();
  }

  private static void line(StringBuilder sb, List<String> cells, int[] w) {
    sb.append('|');
    for (int i = 0; i < w.length; i++) {
      String c = i < cells.size() ? cells.get(i) : "";
      boolean numeric = c.matches("-?[0-9.,]+%?");
      sb.append(' ').append(numeric ? " ".repeat(w[i] - c.length()) + c : c + " ".repeat(w[i] - c.length())).append(" |");
    }
    sb.append('\n');
  }
}
