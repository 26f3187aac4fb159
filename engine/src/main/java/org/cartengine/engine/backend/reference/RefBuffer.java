package org.cartengine.engine.backend.reference;

import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Buffer;

/** A CPU buffer: a Java array of the dtype. Element access in double keeps the reference kernels dtype-agnostic. */
public final class RefBuffer extends Buffer {
  public final float[] f;
  public final double[] d;
  public final int[] i;

  public RefBuffer(Backend backend, DType dtype, int n) {
    this(backend, dtype, n, true);
  }

  /** zeroed false: a pooled array keeps what its last user left (the caller overwrites every element). */
  public RefBuffer(Backend backend, DType dtype, int n, boolean zeroed) {
    super(backend, dtype, n);
    Object pooled = ArrayPool.take(dtype, n, zeroed);
    f = dtype == DType.F32 ? (pooled != null ? (float[]) pooled : new float[n]) : null;
    d = dtype == DType.F64 ? (pooled != null ? (double[]) pooled : new double[n]) : null;
    i = dtype == DType.I32 ? (pooled != null ? (int[]) pooled : new int[n]) : null;
  }

  public double get(int k) {
    if (f != null) return f[k];
    if (d != null) return d[k];
    return i[k];
  }

  public void set(int k, double v) {
    if (f != null) f[k] = (float) v;
    else if (d != null) d[k] = v;
    else i[k] = (int) v;
  }

  public void add(int k, double v) {
    set(k, get(k) + v);
  }

  @Override
  protected void release() {
    // A closed buffer's array is never read again through it (Buffer.checkOpen), so the next buffer of its size may
    // take it; buffers nobody closes are reclaimed by the garbage collector.
    ArrayPool.give(dtype(), f != null ? f : d != null ? d : i, length());
  }
}
