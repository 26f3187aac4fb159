package org.cartengine.spark;

import java.io.Serializable;

/**
 * One corpus item as Spark carries it: its id, its embedding and its corpus order. The corpus order
 * is the item's position in the input (row index for a dataset directory or a synthetic corpus; for
 * Parquet, file number in path order times 2^40 plus the row index within the file); it orders the
 * unique token u (paper 3.2.3) and the rows of the identifier table.
 */
public final class Item implements Serializable {
  private String id;
  private float[] embedding;
  private long ord;

  public Item() {}

  public Item(String id, float[] embedding, long ord) {
    this.id = id;
    this.embedding = embedding;
    this.ord = ord;
  }

  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }

  public float[] getEmbedding() {
    return embedding;
  }

  public void setEmbedding(float[] embedding) {
    this.embedding = embedding;
  }

  public long getOrd() {
    return ord;
  }

  public void setOrd(long ord) {
    this.ord = ord;
  }
}
