package org.cartengine.cart.ids;

import java.util.Map;
import org.cartengine.engine.Tensor;

/**
 * Atomic identifiers (Table 3, "Atomic ID"): an item is named by its index alone, with no semantics.
 * base 0: one token whose vocabulary is the corpus size (1,911 items: one token, vocabulary 1,911).
 * base B >= 2: the index in base B, most significant digit first, over ceil(log_B n) positions of
 * vocabulary B each, which keeps the output layer small for large corpora. No unique token is needed.
 */
public final class AtomicModel implements IdentifierModel {
  private final int base;
  private final int length;

  AtomicModel(int base, int length) {
    this.base = base;
    this.length = length;
  }

  /** The model for a corpus of n items. */
  public static AtomicModel forCorpus(int base, int n) {
    return new AtomicModel(base, base == 0 ? 1 : digits(n, base));
  }

  /** Digits in base b needed to write 0 .. n-1 (at least 1). */
  public static int digits(int n, int b) {
    int d = 1;
    long cap = b;
    while (cap < n) {
      cap *= b;
      d++;
    }
    return d;
  }

  public int base() {
    return base;
  }

  @Override
  public Scheme scheme() {
    return Scheme.ATOMIC;
  }

  @Override
  public int semanticLength() {
    return length;
  }

  @Override
  public String[] positionNames() {
    if (base == 0) return new String[] {"a"};
    String[] out = new String[length];
    for (int i = 0; i < length; i++) out[i] = "d" + (i + 1);
    return out;
  }

  @Override
  public int[] vocab(int n) {
    if (base == 0) return new int[] {Math.max(1, n)};
    int[] v = new int[length];
    java.util.Arrays.fill(v, base);
    return v;
  }

  @Override
  public int inputDim() {
    return 0;
  }

  @Override
  public boolean uniqueToken() {
    return false;
  }

  @Override
  public int[] assign(float[] emb, int n, int firstItem) {
    int[] out = new int[n * length];
    for (int i = 0; i < n; i++) {
      long item = (long) firstItem + i;
      if (base == 0) {
        out[i] = (int) item;
        continue;
      }
      if (digits((int) Math.min(Integer.MAX_VALUE, item + 1), base) > length)
        throw new IllegalArgumentException("atomic identifiers of " + length + " base-" + base + " digits hold " + (long) Math.pow(base, length)
            + " items; item " + item + " does not fit (rebuild the index with cart index --scheme atomic)");
      for (int p = length - 1; p >= 0; p--) {
        out[i * length + p] = (int) (item % base);
        item /= base;
      }
    }
    return out;
  }

  @Override
  public Map<String, Tensor> tensors() {
    return Map.of();
  }
}
