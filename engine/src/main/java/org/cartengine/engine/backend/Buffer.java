package org.cartengine.engine.backend;

import org.cartengine.engine.DType;

/**
 * A block of device memory owned by a {@link Backend}: Java arrays on the CPU backends, a device
 * pointer on CUDA, a cl_mem on OpenCL. Tensors never look inside; they pass buffers to the backend.
 */
public abstract class Buffer implements AutoCloseable {
  private final Backend backend;
  private final DType dtype;
  private final int length;
  private boolean closed;

  protected Buffer(Backend backend, DType dtype, int length) {
    this.backend = backend;
    this.dtype = dtype;
    this.length = length;
  }

  public final Backend backend() {
    return backend;
  }

  public final DType dtype() {
    return dtype;
  }

  /** Number of elements. */
  public final int length() {
    return length;
  }

  public final boolean isClosed() {
    return closed;
  }

  /** Throws if the buffer was released: use after free is an error, never silent garbage. */
  public final void checkOpen(String op) {
    if (closed) throw new IllegalStateException(op + ": buffer of " + length + " x " + dtype + " on " + backend.name() + " was already released");
  }

  /** Returns the memory to the backend (or its caching allocator). Idempotent. */
  @Override
  public final void close() {
    if (closed) return;
    closed = true;
    release();
  }

  protected abstract void release();
}
