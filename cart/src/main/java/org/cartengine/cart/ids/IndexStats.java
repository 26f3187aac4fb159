package org.cartengine.cart.ids;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code cart index} reports. Identifier statistics (collisions, per-level usage, trie size) are
 * computed from the identifiers; training statistics (reconstruction error, losses, timings) come
 * from the build and are kept as they were when items are added later.
 *
 * @param collisionRate share of items whose unique token u is > 0 (their semantic tokens equal an earlier item's)
 * @param maxU largest unique token
 * @param levels usage of each semantic position (coarse token, each codebook, each tree level)
 * @param reconError relative reconstruction error of the RQ-VAE inputs (NaN for schemes without an RQ-VAE)
 * @param reconRows rows the reconstruction error was measured on (the RQ-VAE's training rows)
 * @param trieBytes bytes of the prefix trie's arrays
 * @param identifierBytes bytes of the identifier token table (items x length x 4)
 * @param epochLoss mean RQ-VAE training loss per epoch
 * @param rqvaeSteps RQ-VAE optimiser steps
 * @param deadCodeResets codes moved by dead-code resets during training
 * @param seconds wall-clock time per phase, and "total"
 */
public record IndexStats(
    String scheme, int items, int length, int[] vocab, double collisionRate, int maxU, List<LevelStats> levels,
    double reconError, int reconRows, long trieNodes, long trieBytes, long identifierBytes,
    double[] epochLoss, int rqvaeSteps, int deadCodeResets, Map<String, Double> seconds, String backend) {

  /** The build's training statistics alone; {@link #of} adds the identifier statistics. */
  static IndexStats training(String scheme, double reconError, int reconRows, double[] epochLoss, int rqvaeSteps, int deadCodeResets, Map<String, Double> seconds, String backend) {
    return new IndexStats(scheme, 0, 0, new int[0], 0, 0, List.of(), reconError, reconRows, 0, 0, 0, epochLoss, rqvaeSteps, deadCodeResets, seconds, backend);
  }

  /** Identifier statistics of ids; training fields from train (may be null). */
  static IndexStats of(IdentifierModel model, Identifiers ids, IndexStats train) {
    int n = ids.size(), len = ids.length();
    int[] tokens = ids.all(), vocab = ids.vocabSizes();
    List<LevelStats> levels = new ArrayList<>();
    String[] names = model.positionNames();
    for (int p = 0; p < names.length; p++) levels.add(LevelStats.of(names[p], tokens, n, len, p, vocab[p]));
    int collided = 0, maxU = 0;
    if (model.uniqueToken()) {
      for (int i = 0; i < n; i++) {
        int u = tokens[i * len + len - 1];
        if (u > 0) collided++;
        maxU = Math.max(maxU, u);
      }
    }
    PrefixTrie trie = ids.trie();
    return new IndexStats(model.scheme().cliName, n, len, vocab, n == 0 ? 0 : (double) collided / n, maxU, levels,
        train == null ? Double.NaN : train.reconError, train == null ? 0 : train.reconRows, trie.nodeCount(), trie.memoryBytes(),
        4L * n * len, train == null ? new double[0] : train.epochLoss, train == null ? 0 : train.rqvaeSteps, train == null ? 0 : train.deadCodeResets,
        train == null ? new LinkedHashMap<>() : train.seconds, train == null ? "" : train.backend);
  }

  public double trieBytesPerItem() {
    return items == 0 ? 0 : (double) trieBytes / items;
  }

  /** A plain-text table of every statistic. */
  public String table() {
    StringBuilder sb = new StringBuilder();
    row(sb, "scheme", scheme);
    row(sb, "items", String.format(Locale.ROOT, "%,d", items));
    row(sb, "identifier length", length + "  (vocab " + java.util.Arrays.toString(vocab) + ")");
    if (!"atomic".equals(scheme)) {
      row(sb, "collision rate (u > 0)", String.format(Locale.ROOT, "%.4f", collisionRate));
      row(sb, "largest u", String.valueOf(maxU));
    }
    sb.append(String.format(Locale.ROOT, "  %-6s %8s %8s %12s %11s%n", "level", "size", "used", "utilisation", "perplexity"));
    for (LevelStats l : levels)
      sb.append(String.format(Locale.ROOT, "  %-6s %8d %8d %11.1f%% %11.1f%n", l.name(), l.size(), l.used(), 100 * l.utilisation(), l.perplexity()));
    if (!Double.isNaN(reconError)) row(sb, "reconstruction error", String.format(Locale.ROOT, "%.4f (relative, on %,d rows)", reconError, reconRows));
    if (epochLoss.length > 0)
      row(sb, "RQ-VAE loss", String.format(Locale.ROOT, "%.4f -> %.4f over %d epochs (%,d steps), %d dead codes reset", epochLoss[0], epochLoss[epochLoss.length - 1], epochLoss.length, rqvaeSteps, deadCodeResets));
    row(sb, "trie", String.format(Locale.ROOT, "%,d nodes, %,d bytes, %.1f bytes/item", trieNodes, trieBytes, trieBytesPerItem()));
    row(sb, "identifier table", String.format(Locale.ROOT, "%,d bytes, %.1f bytes/item", identifierBytes, items == 0 ? 0.0 : (double) identifierBytes / items));
    if (!seconds.isEmpty()) {
      StringBuilder t = new StringBuilder();
      seconds.forEach((k, v) -> t.append(t.length() == 0 ? "" : ", ").append(k).append(' ').append(String.format(Locale.ROOT, "%.1f s", v)));
      row(sb, "time", t.toString());
    }
    if (backend != null && !backend.isEmpty()) row(sb, "backend", backend);
    return sb.toString();
  }

  private static void row(StringBuilder sb, String k, String v) {
    sb.append(String.format(Locale.ROOT, "%-24s %s%n", k, v));
  }
}
