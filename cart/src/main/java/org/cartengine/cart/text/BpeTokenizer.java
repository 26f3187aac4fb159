package org.cartengine.cart.text;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import org.cartengine.engine.io.SealedJson;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-pair encoding learned from the training captions (Sennrich et al. 2016): words are split into
 * characters with a start-of-word marker, and the most frequent adjacent pair is merged until the
 * vocabulary is full. Unseen word forms ("grinning" when only "grin" was seen) are then spelled with
 * known pieces instead of collapsing to one unknown token.
 */
public final class BpeTokenizer implements QueryTokenizer {
  public static final int PAD = 0;
  public static final int UNK = 1;
  /** Marks a word's first piece (as SentencePiece does), so a stem seen alone ("grin") is also the first piece of its longer forms ("grinning"). */
  static final String BOW = "\u2581";

  private final List<String> vocab;
  private final Map<String, Integer> index = new HashMap<>();
  private final List<String[]> merges;
  private final Map<String, Integer> mergeRank = new HashMap<>();
  private final Map<String, int[]> cache = new ConcurrentHashMap<>();

  private BpeTokenizer(List<String> vocab, List<String[]> merges) {
    this.vocab = List.copyOf(vocab);
    this.merges = List.copyOf(merges);
    for (int i = 0; i < vocab.size(); i++) index.put(vocab.get(i), i);
    for (int i = 0; i < merges.size(); i++) mergeRank.put(merges.get(i)[0] + ' ' + merges.get(i)[1], i);
  }

  /** Lower-case, letters and digits only; everything else separates words. */
  public static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) if (!w.isEmpty()) out.add(w);
    return out;
  }

  /**
   * Learns merges until the vocabulary reaches vocabSize or no pair occurs at least minCount times.
   * Pair counts are kept incrementally (only the words containing the merged pair are revisited) and
   * the most frequent pair comes from a lazily updated priority queue; ties go to the
   * lexicographically smaller pair, so training is deterministic.
   */
  public static BpeTokenizer train(Iterable<String> texts, int vocabSize, int minCount) {
    Map<String, Integer> wordCounts = new java.util.TreeMap<>();
    for (String t : texts) for (String w : words(t)) wordCounts.merge(w, 1, Integer::sum);
    List<String> vocab = new ArrayList<>(List.of("<pad>", "<unk>"));
    java.util.TreeSet<String> chars = new java.util.TreeSet<>();
    List<List<String>> cur = new ArrayList<>();
    List<Integer> counts = new ArrayList<>();
    for (var e : wordCounts.entrySet()) {
      List<String> sym = split(e.getKey());
      chars.addAll(sym);
      cur.add(sym);
      counts.add(e.getValue());
    }
    vocab.addAll(chars);
    Map<String, Long> pairCount = new HashMap<>();
    Map<String, java.util.Set<Integer>> where = new HashMap<>();
    for (int i = 0; i < cur.size(); i++) addPairs(cur.get(i), i, counts.get(i), pairCount, where);
    java.util.PriorityQueue<Object[]> heap = new java.util.PriorityQueue<>((x, y) -> {
      int c = Long.compare((Long) y[1], (Long) x[1]);
      return c != 0 ? c : ((String) x[0]).compareTo((String) y[0]);
    });
    pairCount.forEach((k, v) -> heap.add(new Object[] {k, v}));
    List<String[]> merges = new ArrayList<>();
    while (vocab.size() < vocabSize && !heap.isEmpty()) {
      Object[] top = heap.poll();
      String best = (String) top[0];
      long c = pairCount.getOrDefault(best, 0L);
      if (c != (Long) top[1]) continue; // stale entry
      if (c < minCount) break;
      String[] pair = best.split(" ");
      merges.add(pair);
      String merged = pair[0] + pair[1];
      vocab.add(merged);
      java.util.Set<String> touched = new java.util.HashSet<>();
      for (int wi : new ArrayList<>(where.getOrDefault(best, java.util.Set.of()))) {
        List<String> w = cur.get(wi);
        removePairs(w, wi, counts.get(wi), pairCount, where, touched);
        for (int j = 0; j + 1 < w.size(); j++) {
          if (w.get(j).equals(pair[0]) && w.get(j + 1).equals(pair[1])) {
            w.set(j, merged);
            w.remove(j + 1);
          }
        }
        addPairs(w, wi, counts.get(wi), pairCount, where);
        for (int j = 0; j + 1 < w.size(); j++) touched.add(w.get(j) + ' ' + w.get(j + 1));
      }
      for (String t : touched) {
        Long v = pairCount.get(t);
        if (v != null && v > 0) heap.add(new Object[] {t, v});
      }
    }
    return new BpeTokenizer(vocab, merges);
  }

  private static void addPairs(List<String> w, int wi, int count, Map<String, Long> pairCount, Map<String, java.util.Set<Integer>> where) {
    for (int j = 0; j + 1 < w.size(); j++) {
      String p = w.get(j) + ' ' + w.get(j + 1);
      pairCount.merge(p, (long) count, Long::sum);
      where.computeIfAbsent(p, k -> new java.util.HashSet<>()).add(wi);
    }
  }

  private static void removePairs(List<String> w, int wi, int count, Map<String, Long> pairCount, Map<String, java.util.Set<Integer>> where, java.util.Set<String> touched) {
    for (int j = 0; j + 1 < w.size(); j++) {
      String p = w.get(j) + ' ' + w.get(j + 1);
      long v = pairCount.merge(p, (long) -count, Long::sum);
      if (v <= 0) pairCount.remove(p);
      java.util.Set<Integer> s = where.get(p);
      if (s != null) s.remove(wi);
      touched.add(p);
    }
  }

  private static List<String> split(String w) {
    List<String> s = new ArrayList<>();
    int[] cps = w.codePoints().toArray();
    for (int i = 0; i < cps.length; i++) s.add((i == 0 ? BOW : "") + new String(Character.toChars(cps[i])));
    return s;
  }

  @Override
  public int vocabSize() {
    return vocab.size();
  }

  public String piece(int id) {
    return vocab.get(id);
  }

  /** Token ids of a text (no padding, no specials). */
  @Override
  public int[] encode(String text) {
    List<Integer> out = new ArrayList<>();
    for (String w : words(text)) for (int id : encodeWord(w)) out.add(id);
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Words cached at most: a server sees arbitrary words, and an unbounded cache would grow with every new one. */
  static final int CACHE_LIMIT = 100_000;

  private int[] encodeWord(String w) {
    int[] hit = cache.get(w);
    if (hit != null) return hit;
    if (cache.size() >= CACHE_LIMIT) return mergeWord(w);
    return cache.computeIfAbsent(w, this::mergeWord);
  }

  private int[] mergeWord(String word) {
    List<String> s = split(word);
    while (s.size() > 1) {
      int bestRank = Integer.MAX_VALUE, at = -1;
      for (int j = 0; j + 1 < s.size(); j++) {
        Integer r = mergeRank.get(s.get(j) + ' ' + s.get(j + 1));
        if (r != null && r < bestRank) {
          bestRank = r;
          at = j;
        }
      }
      if (at < 0) break;
      s.set(at, s.get(at) + s.get(at + 1));
      s.remove(at + 1);
    }
    int[] ids = new int[s.size()];
    for (int j = 0; j < ids.length; j++) ids[j] = index.getOrDefault(s.get(j), UNK);
    return ids;
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("type", "bpe");
    JsonArray v = new JsonArray();
    vocab.forEach(v::add);
    o.add("vocab", v);
    JsonArray m = new JsonArray();
    for (String[] p : merges) {
      JsonArray a = new JsonArray();
      a.add(p[0]);
      a.add(p[1]);
      m.add(a);
    }
    o.add("merges", m);
    return o;
  }

  public static BpeTokenizer fromJson(JsonObject o) {
    List<String> vocab = new ArrayList<>();
    o.getAsJsonArray("vocab").forEach(e -> vocab.add(e.getAsString()));
    List<String[]> merges = new ArrayList<>();
    o.getAsJsonArray("merges").forEach(e -> merges.add(new String[] {e.getAsJsonArray().get(0).getAsString(), e.getAsJsonArray().get(1).getAsString()}));
    return new BpeTokenizer(vocab, merges);
  }

  /** Writes tokenizer.json atomically, with its SHA-256 ({@link SealedJson}). */
  @Override
  public void save(Path file) throws IOException {
    SealedJson.write(file, toJson());
  }

  /** Reads a file written by {@link #save}, verifying its SHA-256 (a file without one is read with a warning). */
  public static BpeTokenizer load(Path file) throws IOException {
    JsonObject o = SealedJson.read(file);
    try {
      return fromJson(o);
    } catch (RuntimeException e) {
      throw new IOException(file + ": not a tokenizer file: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), e);
    }
  }
}
