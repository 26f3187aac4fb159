package org.cartengine.cart.baseline;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The columns of an in-batch InfoNCE: the distinct items of a batch (an item present twice is not its
 * own negative), and each row's target column among them.
 */
public record InBatchItems(int[] columns, int[] targets) {
  /** items[r]: the item of batch row r. */
  public static InBatchItems of(int[] items) {
    Map<Integer, Integer> col = new LinkedHashMap<>();
    int[] target = new int[items.length];
    for (int r = 0; r < items.length; r++) target[r] = col.computeIfAbsent(items[r], k -> col.size());
    return new InBatchItems(col.keySet().stream().mapToInt(Integer::intValue).toArray(), target);
  }
}
