package org.cartengine.cart.data;

/**
 * A read-only N x D matrix of item embeddings (row i = item i). Backed by a heap {@code float[]} ({@link #of}) or by a
 * memory-mapped .npy file ({@link Npy#map}), whose float16 values are widened to float on read, so a 4 GB corpus is
 * never copied into the heap unless a caller asks for {@link #toArray()}.
 *
 * <p>Implementations are safe for concurrent readers.
 */
public interface Embeddings {

  int rows();

  int dim();

  /** Copies row {@code i} into {@code dst[dstOff .. dstOff + dim())}. */
  void row(int i, float[] dst, int dstOff);

  float get(int i, int j);

  /** Row {@code i} as a new array. */
  default float[] row(int i) {
    float[] r = new float[dim()];
    row(i, r, 0);
    return r;
  }

  /** A new row-major array of all values (fails for more than 2^31 - 16 values). */
  default float[] toArray() {
    long n = (long) rows() * dim();
    if (n > Integer.MAX_VALUE - 16) {
      throw new IllegalStateException(rows() + " x " + dim() + " embeddings do not fit in one Java array");
    }
    float[] a = new float[(int) n];
    for (int i = 0; i < rows(); i++) row(i, a, i * dim());
    return a;
  }

  /** Embeddings over {@code data} (row-major, not copied: do not modify it afterwards). */
  static Embeddings of(float[] data, int rows, int dim) {
    return new HeapEmbeddings(data, rows, dim);
  }
}
