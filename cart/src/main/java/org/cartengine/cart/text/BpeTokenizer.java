package org.cartengine.cart.text;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-pair encoding learned from the training captions (Sennrich et al. 2016): words are split into
 * characters with an end-of-word marker, and the most frequent adjacent pair is merged until the
 * vocabulary is full. Unseen word forms ("grinning" when only "grin" was seen) are then spelled with
 * known pieces instead of collapsing to one unknown token.
 */
public final class BpeTokenizer {
  public static final int PAD = 0;
  public static final int UNK = 1;
  static final String EOW = "</w>";

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

  /** Learns merges until the vocabulary reaches vocabSize or no pair occurs at least minCount times. */
  public static BpeTokenizer train(Iterable<String> texts, int vocabSize, int minCount) {
    Map<String, Integer> wordCounts = new HashMap<>();
    for (String t : texts) for (String w : words(t)) wordCounts.merge(w, 1, Integer::sum);
    List<String> vocab = new ArrayList<>(List.of("<pad>", "<unk>"));
    java.util.TreeSet<String> chars = new java.util.TreeSet<>();
    Map<List<String>, Integer> seqs = new LinkedHashMap<>();
    List<String> sortedWords = new ArrayList<>(wordCounts.keySet());
    java.util.Collections.sort(sortedWords);
    for (String w : sortedWords) {
      List<String> s = split(w);
      chars.addAll(s);
      seqs.put(s, wordCounts.get(w));
    }
    vocab.addAll(chars);
    List<String[]> merges = new ArrayList<>();
    List<List<String>> words = new ArrayList<>(seqs.keySet());
    List<Integer> counts = new ArrayList<>(seqs.values());
    List<List<String>> cur = new ArrayList<>();
    for (List<String> w : words) cur.add(new ArrayList<>(w));
    while (vocab.size() < vocabSize) {
      Map<String, Integer> pairs = new HashMap<>();
      for (int i = 0; i < cur.size(); i++) {
        List<String> w = cur.get(i);
        for (int j = 0; j + 1 < w.size(); j++) pairs.merge(w.get(j) + ' ' + w.get(j + 1), counts.get(i), Integer::sum);
      }
      String best = null;
      int bestCount = 0;
      for (var e : pairs.entrySet()) {
        int c = e.getValue();
        // Ties broken lexicographically so training is deterministic.
        if (c > bestCount || (c == bestCount && best != null && e.getKey().compareTo(best) < 0)) {
          best = e.getKey();
          bestCount = c;
        }
      }
      if (best == null || bestCount < minCount) break;
      String[] pair = best.split(" ");
      merges.add(pair);
      String merged = pair[0] + pair[1];
      vocab.add(merged);
      for (List<String> w : cur) {
        for (int j = 0; j + 1 < w.size(); j++) {
          if (w.get(j).equals(pair[0]) && w.get(j + 1).equals(pair[1])) {
            w.set(j, merged);
            w.remove(j + 1);
          }
        }
      }
    }
    return new BpeTokenizer(vocab, merges);
  }

  private static List<String> split(String w) {
    List<String> s = new ArrayList<>();
    int[] cps = w.codePoints().toArray();
    for (int i = 0; i < cps.length; i++) s.add(new String(Character.toChars(cps[i])) + (i == cps.length - 1 ? EOW : ""));
    return s;
  }

  public int vocabSize() {
    return vocab.size();
  }

  public String piece(int id) {
    return vocab.get(id);
  }

  /** Token ids of a text (no padding, no specials). */
  public int[] encode(String text) {
    List<Integer> out = new ArrayList<>();
    for (String w : words(text)) for (int id : encodeWord(w)) out.add(id);
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  private int[] encodeWord(String w) {
    return cache.computeIfAbsent(w, word -> {
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
    });
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

  public void save(Path file) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, new Gson().toJson(toJson()), StandardCharsets.UTF_8);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  public static BpeTokenizer load(Path file) throws IOException {
    try {
      return fromJson(JsonParser.parseString(Files.readString(file)).getAsJsonObject());
    } catch (RuntimeException e) {
      throw new IOException(file + ": not a tokenizer file: " + e.getMessage(), e);
    }
  }
}
