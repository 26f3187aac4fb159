package org.cartengine.cart.ids;

import java.util.Arrays;

/**
 * The prefix database of section 3.2.3: "search and count" over semantic prefixes (k, v1, ..., vM).
 * {@link #next} returns how many earlier items carry the same prefix, which becomes the unique token
 * u, and counts the new item; so every identifier (k, v1, ..., vM, u) is distinct.
 *
 * <p>An open-addressing hash table over the prefixes (copied into one int pool, no boxing), so 10M
 * prefixes cost about 20 bytes each. When grown from an existing index the counts start from that
 * index's trie: the u values under a prefix node are 0 .. c-1, so its child count c is the count,
 * and the trie itself is the persistent prefix database.
 */
public final class PrefixDatabase {
  private final int prefixLength;
  private final PrefixTrie base;
  private int[] pool;
  private int[] counts;
  private int[] slots; // entry index + 1, 0 = empty
  private int size;

  /** A fresh database of prefixes of the given length. */
  public PrefixDatabase(int prefixLength) {
    this(prefixLength, null);
  }

  /** Counts on top of the identifiers in base (a trie of identifiers of length prefixLength + 1 whose last token is u). */
  public PrefixDatabase(int prefixLength, PrefixTrie base) {
    if (base != null && base.length() != prefixLength + 1)
      throw new IllegalArgumentException("PrefixDatabase: prefix length " + prefixLength + " for a trie of identifiers of length " + base.length());
    this.prefixLength = prefixLength;
    this.base = base;
    this.pool = new int[16 * Math.max(1, prefixLength)];
    this.counts = new int[16];
    this.slots = new int[32];
  }

  /** u for the prefix tokens[off .. off + prefixLength): the number of earlier items with this prefix; counts this one. */
  public int next(int[] tokens, int off) {
    int mask = slots.length - 1;
    int h = hash(tokens, off) & mask;
    while (slots[h] != 0) {
      int e = slots[h] - 1;
      if (Arrays.equals(pool, e * prefixLength, e * prefixLength + prefixLength, tokens, off, off + prefixLength)) return counts[e]++;
      h = (h + 1) & mask;
    }
    int e = size++;
    if ((e + 1) * prefixLength > pool.length) pool = Arrays.copyOf(pool, Math.max(pool.length * 2, (e + 1) * prefixLength));
    if (e >= counts.length) counts = Arrays.copyOf(counts, counts.length * 2);
    System.arraycopy(tokens, off, pool, e * prefixLength, prefixLength);
    int start = 0;
    if (base != null) {
      int node = base.walk(tokens, off, prefixLength);
      if (node >= 0) start = base.childCount(node);
    }
    counts[e] = start + 1;
    slots[h] = e + 1;
    if (2 * size > slots.length) rehash();
    return start;
  }

  /** Number of distinct prefixes seen by this database (not counting the base trie's). */
  public int distinctPrefixes() {
    return size;
  }

  private int hash(int[] t, int off) {
    int h = 0x9E3779B9;
    for (int i = 0; i < prefixLength; i++) h = (h ^ t[off + i]) * 0x01000193 + (h >>> 15);
    return h ^ (h >>> 16);
  }

  private void rehash() {
    slots = new int[slots.length * 2];
    int mask = slots.length - 1;
    for (int e = 0; e < size; e++) {
      int h = hash(pool, e * prefixLength) & mask;
      while (slots[h] != 0) h = (h + 1) & mask;
      slots[h] = e + 1;
    }
  }

  /**
   * Appends u to each row of semantic tokens (n x prefixLength), in item order: returns n x
   * (prefixLength + 1), exactly as calling {@link #next} on every row in turn. Done in bulk: rows are
   * stably sorted by prefix, so each group of equal prefixes is numbered consecutively after its
   * current count, and the table is updated once per distinct prefix (a sort costs less than n
   * random probes of a large table).
   */
  public int[] appendUnique(int[] semantic, int n) {
    int len = prefixLength + 1;
    int[] out = new int[n * len];
    for (int i = 0; i < n; i++) System.arraycopy(semantic, i * prefixLength, out, i * len, prefixLength);
    if (prefixLength == 0) {
      for (int i = 0; i < n; i++) out[i] = next(semantic, 0);
      return out;
    }
    int[] rows = new int[n];
    for (int i = 0; i < n; i++) rows[i] = i;
    int[] sorted = PrefixTrie.sortRows(semantic, prefixLength, rows);
    for (int g = 0; g < n; ) {
      int first = sorted[g], end = g + 1;
      while (end < n && Arrays.equals(semantic, first * prefixLength, first * prefixLength + prefixLength,
          semantic, sorted[end] * prefixLength, sorted[end] * prefixLength + prefixLength)) end++;
      // Within a group rows are in item order (the sort is stable), so u counts earlier items.
      int start = add(semantic, first * prefixLength, end - g);
      for (int i = g; i < end; i++) out[sorted[i] * len + prefixLength] = start + (i - g);
      g = end;
    }
    return out;
  }

  /** Counts `times` items with this prefix at once; returns the count before them (the first one's u). */
  private int add(int[] tokens, int off, int times) {
    int u = next(tokens, off);
    if (times > 1) {
      int mask = slots.length - 1, h = hash(tokens, off) & mask;
      while (true) {
        int e = slots[h] - 1;
        if (Arrays.equals(pool, e * prefixLength, e * prefixLength + prefixLength, tokens, off, off + prefixLength)) {
          counts[e] += times - 1;
          break;
        }
        h = (h + 1) & mask;
      }
    }
    return u;
  }
}
