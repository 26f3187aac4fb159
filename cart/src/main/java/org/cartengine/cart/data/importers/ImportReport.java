package org.cartengine.cart.data.importers;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.cartengine.cart.data.Split;

/**
 * What an import wrote and what it left out.
 *
 * @param skippedCaptions captions whose item has no embedding row (e.g. AudioCaps clips no longer on YouTube)
 * @param skippedExamples a few of the names those captions referred to
 * @param emptyCaptions empty caption fields, skipped
 * @param itemsWithoutCaptions embedding rows that no caption mentions (still items of the corpus)
 */
public record ImportReport(Path out, int items, int dim, Map<Split, Integer> captions, int skippedCaptions,
    List<String> skippedExamples, int emptyCaptions, int itemsWithoutCaptions) {

  public int captionCount() {
    return captions.values().stream().mapToInt(Integer::intValue).sum();
  }

  public String render() {
    StringBuilder sb = new StringBuilder();
    sb.append("wrote ").append(out).append(": ").append(items).append(" items x ").append(dim).append(", ")
        .append(captionCount()).append(" captions (");
    for (Split s : Split.values()) {
      sb.append(s.json()).append(' ').append(captions.getOrDefault(s, 0)).append(s == Split.TEST ? ")\n" : ", ");
    }
    if (skippedCaptions > 0) {
      sb.append("skipped ").append(skippedCaptions).append(" captions of items without an embedding row, e.g. ")
          .append(String.join(", ", skippedExamples)).append('\n');
    }
    if (emptyCaptions > 0) sb.append("skipped ").append(emptyCaptions).append(" empty captions\n");
    if (itemsWithoutCaptions > 0) {
      sb.append(itemsWithoutCaptions).append(" items have no caption (they stay in the corpus)\n");
    }
    return sb.toString();
  }
}
