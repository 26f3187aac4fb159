package org.cartengine.engine;

/** Element types. F64 exists for gradient checks on the reference backend; I32 holds indices (token ids, codes). */
public enum DType {
  F32(4), F64(8), I32(4);

  public final int bytes;

  DType(int bytes) {
    this.bytes = bytes;
  }

  public boolean isFloating() {
    return this != I32;
  }
}
