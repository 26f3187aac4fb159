package org.cartengine.cart.enhance;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.cartengine.cart.data.Caption;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.data.Embeddings;
import org.cartengine.cart.data.Split;
import org.cartengine.engine.backend.Backend;

/**
 * Caption enhancement (paper Sec. 3.3): adds pseudo-queries to the train split so that every item, including the ones
 * without a human caption, is trained on as a {@code <query, identifier>} pair. See the package documentation for the
 * methods and the {@code source} field.
 */
public final class CaptionEnhancer {
  private CaptionEnhancer() {}

  public static final String TRANSFER = "neighbour-transfer";
  public static final String RECOMBINATION = "recombination";
  public static final String WORDNET = "wordnet";
  /** The {@code source} values this enhancer writes, in the order it runs the methods. */
  public static final List<String> SOURCES = List.of(TRANSFER, RECOMBINATION, WORDNET);

  /**
   * A new dataset whose train split is {@code ds}'s train captions followed by the pseudo-queries; val and test
   * captions are copied unchanged and never read.
   */
  public static Enhanced enhance(Dataset ds, EnhanceConfig cfg, Backend be) {
    return enhance(ds, cfg, be, ds.embeddings());
  }

  /**
   * As above, with neighbour transfer searching {@code neighbourSpace} (one row per item) instead of the item
   * embeddings: the caption space of a pretrained sentence encoder ({@code text.CaptionSpace}) makes the neighbours
   * items described alike rather than items that look alike.
   */
  public static Enhanced enhance(Dataset ds, EnhanceConfig cfg, Backend be, Embeddings neighbourSpace) {
    TrainTexts train = TrainTexts.of(ds.size(), ds.captions(Split.TRAIN)); // the enhancer's only view of the captions
    List<Caption> added = pseudoQueries(train, ds.ids(), neighbourSpace, cfg, be);
    List<Caption> all = new ArrayList<>(ds.captions().size() + added.size());
    all.addAll(ds.captions());
    all.addAll(added);
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String s : SOURCES) counts.put(s, 0);
    for (Caption c : added) counts.merge(c.source(), 1, Integer::sum);
    return new Enhanced(ds.withCaptions(all), counts);
  }

  /**
   * The pseudo-queries of every item, item by item in row order and, per item, by method (transfer, recombination,
   * WordNet): a function of the train captions, the ids, the embeddings and {@code cfg} only. A text the item
   * already has (or got from an earlier method), compared by {@link Texts#normalise}, is not added again; a method
   * adds at most {@code perItem} minus the captions of its source that the item already has. With
   * {@link EnhanceConfig#uncaptionedOnly()}, items that have a train caption get none.
   */
  public static List<Caption> pseudoQueries(TrainTexts train, List<String> ids, Embeddings emb, EnhanceConfig cfg,
      Backend be) {
    if (ids.size() != train.items() || emb.rows() != train.items()) {
      throw new IllegalArgumentException(train.items() + " items of captions, " + ids.size() + " ids, " + emb.rows()
          + " embedding rows");
    }
    List<PseudoQueryMethod> methods = new ArrayList<>();
    if (cfg.perItem() > 0) {
      if (cfg.transfer()) methods.add(new NeighbourTransfer(train, emb, cfg.neighbours(), cfg.maxExactItems(), be, cfg.uncaptionedOnly()));
      if (cfg.recombination()) methods.add(new Recombination(train, ids, cfg.seed()));
      if (cfg.wordnet()) methods.add(new WordNetRewriting(train, ids, cfg.seed(), WordNet.shared()));
    }
    List<Caption> out = new ArrayList<>();
    for (int i = 0; i < train.items(); i++) {
      if (cfg.uncaptionedOnly() && train.hasAny(i)) continue;
      Set<String> seen = train.normalisedTexts(i);
      for (PseudoQueryMethod m : methods) {
        int added = 0, budget = cfg.perItem() - train.count(i, m.source()); // an enhanced dataset gets nothing more
        for (String text : m.candidates(i)) {
          if (added >= budget) break;
          String n = Texts.normalise(text);
          if (n.isEmpty() || !seen.add(n)) continue;
          out.add(new Caption(i, ids.get(i), text, Split.TRAIN, m.source()));
          added++;
        }
      }
    }
    return out;
  }

  /** Whether {@code source} is one this enhancer writes (null, a human caption, is not). */
  public static boolean isOwnSource(String source) {
    return source != null && SOURCES.contains(source);
  }

  /** The random generator of one item and method: from the seed and the item's id, not its position or neighbours. */
  static Random rng(long seed, String itemId, String method) {
    long h = 0xcbf29ce484222325L; // FNV-1a 64 of "method \0 id"
    for (byte b : (method + '\0' + itemId).getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return new Random(mix(seed ^ mix(h)));
  }

  /** SplitMix64's finaliser. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
