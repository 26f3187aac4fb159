package org.cartengine.cart.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What {@code cart data check} reports about a valid dataset: sizes, captions per split, items without train
 * captions, and texts that occur more than once (a query text shared by several items is a hit for any of them, so
 * many shared texts cap the attainable Recall@1).
 *
 * @param sharedTexts distinct texts that are captions of two or more items (any split)
 * @param sharedExamples the most shared of them, as {@code "text" (n items)}
 * @param repeatedCaptions captions repeating an earlier caption of the same item and split
 * @param testInTrain test captions equal to a train caption of the same item (a leak)
 * @param testSharedWithOthers test captions whose text is also a caption (any split) of another item: hard or
 *     ambiguous queries
 * @param generated captions with a {@code source} (caption enhancement)
 */
public record DatasetSummary(String name, String origin, String modality, int items, int dim, Npy.Dtype dtype,
    String encoder, String license, Map<Split, Integer> captions, Map<Split, Integer> captionedItems,
    int itemsWithoutTrain, List<String> withoutTrainExamples, int sharedTexts, List<String> sharedExamples,
    int repeatedCaptions, int testInTrain, int testSharedWithOthers, int generated) {

  private static final int EXAMPLES = 5;

  public static DatasetSummary of(Dataset d) {
    Map<Split, Integer> captions = new EnumMap<>(Split.class);
    Map<Split, Set<Integer>> captioned = new EnumMap<>(Split.class);
    for (Split s : Split.values()) {
      captions.put(s, d.captions(s).size());
      Set<Integer> items = new HashSet<>();
      for (Caption c : d.captions(s)) items.add(c.item());
      captioned.put(s, items);
    }
    Map<Split, Integer> captionedItems = new EnumMap<>(Split.class);
    captioned.forEach((s, items) -> captionedItems.put(s, items.size()));

    List<String> withoutTrain = new ArrayList<>();
    int withoutTrainCount = 0;
    for (int i = 0; i < d.size(); i++) {
      if (!captioned.get(Split.TRAIN).contains(i)) {
        withoutTrainCount++;
        if (withoutTrain.size() < EXAMPLES) withoutTrain.add(d.id(i));
      }
    }

    Map<String, Set<Integer>> itemsOfText = new HashMap<>();
    Set<String> seen = new HashSet<>();
    Set<String> trainPairs = new HashSet<>();
    int repeated = 0;
    int generated = 0;
    for (Caption c : d.captions()) {
      itemsOfText.computeIfAbsent(c.text(), t -> new HashSet<>()).add(c.item());
      if (!seen.add(c.item() + "\t" + c.split() + "\t" + c.text())) repeated++;
      if (c.split() == Split.TRAIN) trainPairs.add(c.item() + "\t" + c.text());
      if (c.source() != null) generated++;
    }
    int testInTrain = 0;
    int testShared = 0;
    for (Caption c : d.captions(Split.TEST)) {
      if (trainPairs.contains(c.item() + "\t" + c.text())) testInTrain++;
      if (itemsOfText.get(c.text()).size() > 1) testShared++;
    }
    List<Map.Entry<String, Set<Integer>>> shared = new ArrayList<>();
    for (Map.Entry<String, Set<Integer>> e : itemsOfText.entrySet()) if (e.getValue().size() > 1) shared.add(e);
    shared.sort(Comparator.<Map.Entry<String, Set<Integer>>>comparingInt(e -> -e.getValue().size())
        .thenComparing(Map.Entry::getKey));
    List<String> sharedExamples = new ArrayList<>();
    for (Map.Entry<String, Set<Integer>> e : shared.subList(0, Math.min(EXAMPLES, shared.size()))) {
      sharedExamples.add(Json.GSON.toJson(e.getKey()) + " (" + e.getValue().size() + " items)");
    }
    DatasetInfo info = d.info();
    return new DatasetSummary(info.name(), d.origin(), info.modality(), d.size(), d.dim(), d.dtype(), info.encoder(),
        info.license(), captions, captionedItems, withoutTrainCount, withoutTrain, shared.size(), sharedExamples,
        repeated, testInTrain, testShared, generated);
  }

  /** The report as aligned text lines. */
  public String render() {
    StringBuilder sb = new StringBuilder();
    row(sb, "dataset", name + "  (" + origin + ")");
    row(sb, "modality", modality);
    row(sb, "items", Integer.toString(items));
    row(sb, "dim", Integer.toString(dim));
    row(sb, "dtype", dtype.label() + " ('" + dtype.descr() + "')");
    if (encoder != null) row(sb, "encoder", encoder);
    if (license != null) row(sb, "license", license);
    sb.append('\n');
    sb.append(String.format(Locale.ROOT, "%-8s %10s %8s %10s%n", "split", "captions", "items", "per item"));
    int total = 0;
    for (Split s : Split.values()) {
      int n = captions.get(s);
      int k = captionedItems.get(s);
      total += n;
      sb.append(String.format(Locale.ROOT, "%-8s %10d %8d %10s%n", s.json(), n, k,
          k == 0 ? "-" : String.format(Locale.ROOT, "%.2f", (double) n / k)));
    }
    sb.append(String.format(Locale.ROOT, "%-8s %10d%n", "all", total));
    sb.append('\n');
    row(sb, "items without train captions", itemsWithoutTrain
        + (withoutTrainExamples.isEmpty() ? "" : "  e.g. " + String.join(", ", withoutTrainExamples)));
    row(sb, "texts shared by several items", sharedTexts
        + (sharedExamples.isEmpty() ? "" : "  e.g. " + String.join(", ", sharedExamples)));
    row(sb, "repeated captions (same item and split)", Integer.toString(repeatedCaptions));
    row(sb, "test captions also train captions of the item", Integer.toString(testInTrain));
    row(sb, "test captions that are captions of other items", Integer.toString(testSharedWithOthers));
    row(sb, "generated captions (with a source)", Integer.toString(generated));
    return sb.toString();
  }

  private static void row(StringBuilder sb, String key, String value) {
    sb.append(String.format(Locale.ROOT, "%-47s %s%n", key, value));
  }
}
