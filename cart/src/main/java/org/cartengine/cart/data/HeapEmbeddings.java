package org.cartengine.cart.data;

/** Embeddings in a row-major heap array. */
final class HeapEmbeddings implements Embeddings {
  private final float[] data;
  private final int rows;
  private final int dim;

  HeapEmbeddings(float[] data, int rows, int dim) {
    if (rows < 0 || dim < 0 || (long) rows * dim != data.length) {
      throw new IllegalArgumentException(
          "embeddings of " + rows + " x " + dim + " need " + (long) rows * dim + " values, got " + data.length);
    }
    this.data = data;
    this.rows = rows;
    this.dim = dim;
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int dim() {
    return dim;
  }

  @Override
  public void row(int i, float[] dst, int dstOff) {
    System.arraycopy(data, checkRow(i) * dim, dst, dstOff, dim);
  }

  @Override
  public float get(int i, int j) {
    if (j < 0 || j >= dim) throw new IndexOutOfBoundsException("column " + j + " of " + dim);
    return data[checkRow(i) * dim + j];
  }

  private int checkRow(int i) {
    if (i < 0 || i >= rows) throw new IndexOutOfBoundsException("row " + i + " of " + rows);
    return i;
  }
}
