package org.cartengine.cart.data;

import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.RandomAccess;
import java.util.Set;

/**
 * An append-only list of strings packed as UTF-8 in one byte array with one offset per string, optionally with a
 * hash index from string to position. A catalogue of 10M items keeps its ids, media paths and labels here: as
 * {@code String} objects in lists (about 56 bytes of headers each, plus a boxed map entry per id) the three columns
 * and the id map would take about 2.5 GB of heap; packed, they take their UTF-8 bytes, 4 bytes per string and 4 per
 * hash slot. {@link #get} decodes a new String per call, which is what a served result (a few per query) needs.
 */
public final class PackedStrings extends AbstractList<String> implements RandomAccess {
  private byte[] bytes = new byte[1024];
  private int used;
  private int[] ends = new int[64]; // ends[i]: one past the last byte of string i
  private int size;
  private int[] slots; // open addressing with linear probing: position + 1, 0 = empty; null without an index
  private int mask;

  private PackedStrings(boolean indexed) {
    if (indexed) {
      slots = new int[16];
      mask = 15;
    }
  }

  /** A list without a lookup index (labels, media paths). */
  public static PackedStrings plain() {
    return new PackedStrings(false);
  }

  /** A list with a hash index, for {@link #indexOf} in constant time (ids). */
  public static PackedStrings indexed() {
    return new PackedStrings(true);
  }

  @Override
  public boolean add(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if ((long) used + b.length > Integer.MAX_VALUE - 8)
      throw new IllegalStateException("packed strings: more than 2 GB of UTF-8 in one column (" + size + " strings)");
    if (used + b.length > bytes.length) bytes = Arrays.copyOf(bytes, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(used + (long) b.length, 2L * bytes.length)));
    System.arraycopy(b, 0, bytes, used, b.length);
    used += b.length;
    if (size == ends.length) ends = Arrays.copyOf(ends, Math.max(64, ends.length + (ends.length >> 1)));
    ends[size++] = used;
    if (slots != null) {
      if (4L * size > 3L * slots.length) rehash(slots.length * 2); // load at most 3/4: linear probing stays short
      insert(size - 1, hash(b, 0, b.length));
    }
    modCount++;
    return true;
  }

  @Override
  public String get(int i) {
    if (i < 0 || i >= size) throw new IndexOutOfBoundsException("packed strings: index " + i + " of " + size);
    return new String(bytes, start(i), ends[i] - start(i), StandardCharsets.UTF_8);
  }

  /** First byte of string i. */
  private int start(int i) {
    return i == 0 ? 0 : ends[i - 1];
  }

  @Override
  public int size() {
    return size;
  }

  /** The first position of {@code s}, or -1; constant time with an index, a scan without. */
  @Override
  public int indexOf(Object o) {
    if (!(o instanceof String s)) return -1;
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (slots == null) {
      for (int i = 0; i < size; i++) if (equalsAt(i, b)) return i;
      return -1;
    }
    for (int h = hash(b, 0, b.length) & mask; ; h = (h + 1) & mask) {
      int p = slots[h];
      if (p == 0) return -1;
      if (equalsAt(p - 1, b)) return p - 1;
    }
  }

  @Override
  public boolean contains(Object o) {
    return indexOf(o) >= 0;
  }

  /** Heap held by this list's arrays, in bytes (the figure a served catalogue is sized by). */
  public long heapBytes() {
    return bytes.length + 4L * ends.length + (slots == null ? 0 : 4L * slots.length);
  }

  /** Trims the arrays to what they hold, once the list is complete. */
  public PackedStrings trim() {
    bytes = Arrays.copyOf(bytes, used);
    ends = Arrays.copyOf(ends, size);
    return this;
  }

  /** A read-only map from string to its position, backed by the index (an indexed list only). */
  public Map<String, Integer> asIndex() {
    if (slots == null) throw new IllegalStateException("packed strings: this list has no index");
    return new AbstractMap<>() {
      @Override
      public Integer get(Object key) {
        int i = indexOf(key);
        return i < 0 ? null : i;
      }

      @Override
      public boolean containsKey(Object key) {
        return indexOf(key) >= 0;
      }

      @Override
      public int size() {
        return size;
      }

      @Override
      public Set<Entry<String, Integer>> entrySet() {
        return new AbstractSet<>() {
          @Override
          public Iterator<Entry<String, Integer>> iterator() {
            return new Iterator<>() {
              private int i;

              @Override
              public boolean hasNext() {
                return i < size;
              }

              @Override
              public Entry<String, Integer> next() {
                if (i >= size) throw new NoSuchElementException();
                int at = i++;
                return Map.entry(PackedStrings.this.get(at), at);
              }
            };
          }

          @Override
          public int size() {
            return size;
          }
        };
      }
    };
  }

  private boolean equalsAt(int i, byte[] b) {
    return ends[i] - start(i) == b.length && Arrays.equals(bytes, start(i), ends[i], b, 0, b.length);
  }

  private void insert(int position, int h) {
    for (h &= mask; slots[h] != 0; h = (h + 1) & mask) {}
    slots[h] = position + 1;
  }

  private void rehash(int capacity) {
    if (capacity <= 0) throw new IllegalStateException("packed strings: too many strings for one index (" + size + ")");
    slots = new int[capacity];
    mask = capacity - 1;
    for (int i = 0; i < size - 1; i++) insert(i, hash(bytes, start(i), ends[i] - start(i)));
  }

  /** FNV-1a over the bytes with a final mix, so that ids differing in their last characters spread over the table. */
  private static int hash(byte[] b, int from, int len) {
    int h = 0x811C9DC5;
    for (int i = from; i < from + len; i++) h = (h ^ b[i]) * 0x01000193;
    h ^= h >>> 16;
    h *= 0x85EBCA6B;
    return h ^ (h >>> 13);
  }
}
