package org.cartengine.cart.enhance;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cartengine.cart.data.Embeddings;
import org.cartengine.engine.backend.Backend;

/**
 * Caption transfer from neighbours, the classic nearest-neighbour captioning baseline standing in for the paper's
 * neural captioner (Sec. 3.3): an item is called what the items that look like it are called. The item's content
 * (its embedding) picks the texts, so items with no caption of their own get some.
 *
 * <p>Neighbours are the k nearest <em>donors</em> by exact cosine ({@link NearestNeighbours}), where a donor is an
 * item with at least one train text to give; non-donors would only take up neighbour slots. Each distinct text of a
 * neighbour j scores {@code max(cos(i, j), 0)}; a text given by several neighbours scores the sum. Candidates are
 * ranked by score, ties by the order first met (nearest neighbour first, then caption order).
 */
final class NeighbourTransfer implements PseudoQueryMethod {
  private final TrainTexts train;
  private final NearestNeighbours.Result neighbours;

  NeighbourTransfer(TrainTexts train, Embeddings emb, int k, int maxExactItems, Backend be) {
    this(train, emb, k, maxExactItems, be, false);
  }

  /** With {@code uncaptionedOnly}, neighbours are searched for the items without a train text only (the others get none). */
  NeighbourTransfer(TrainTexts train, Embeddings emb, int k, int maxExactItems, Backend be, boolean uncaptionedOnly) {
    this.train = train;
    List<Integer> donors = new ArrayList<>(), takers = new ArrayList<>();
    for (int i = 0; i < train.items(); i++) {
      boolean donor = false;
      for (String t : train.seeds(i)) {
        if (!Texts.normalise(t).isEmpty()) {
          donor = true;
          break;
        }
      }
      if (donor) donors.add(i);
      if (!uncaptionedOnly || !train.hasAny(i)) takers.add(i);
    }
    // The exact search costs takers x donors x D: capped as an all-pairs search over maxExactItems items would be.
    if ((long) takers.size() * donors.size() > (long) maxExactItems * maxExactItems) {
      throw new IllegalArgumentException("neighbour transfer searches neighbours exactly, " + takers.size() + " items x " + donors.size()
          + " donors x " + emb.dim() + " multiply-adds, and is capped at the cost of " + maxExactItems + "^2 pairs; raise the cap "
          + "(--max-exact) if the backend is fast enough, or leave this method out (--no-transfer)");
    }
    this.neighbours = NearestNeighbours.search(emb, takers.stream().mapToInt(Integer::intValue).toArray(),
        donors.stream().mapToInt(Integer::intValue).toArray(), k, be);
  }

  @Override
  public String source() {
    return CaptionEnhancer.TRANSFER;
  }

  /** The neighbours of every item (for tests and reports). */
  NearestNeighbours.Result neighbours() {
    return neighbours;
  }

  @Override
  public List<String> candidates(int item) {
    Map<String, Scored> byText = new LinkedHashMap<>(); // normalised text -> first surface form and summed weight
    int[] nb = neighbours.index()[item];
    for (int r = 0; r < nb.length; r++) {
      double w = Math.max(neighbours.similarity()[item][r], 0);
      Set<String> once = new HashSet<>(); // a neighbour votes once per text
      for (String t : train.seeds(nb[r])) {
        String n = Texts.normalise(t);
        if (n.isEmpty() || !once.add(n)) continue;
        byText.computeIfAbsent(n, x -> new Scored(t, byText.size())).weight += w;
      }
    }
    List<Scored> ranked = new ArrayList<>(byText.values());
    ranked.sort((a, b) -> a.weight != b.weight ? Double.compare(b.weight, a.weight) : Integer.compare(a.order, b.order));
    List<String> out = new ArrayList<>(ranked.size());
    for (Scored s : ranked) out.add(s.text);
    return out;
  }

  private static final class Scored {
    final String text;
    final int order;
    double weight;

    Scored(String text, int order) {
      this.text = text;
      this.order = order;
    }
  }
}
