package org.cartengine.engine;

import java.util.Arrays;
import java.util.Random;
import org.cartengine.engine.autograd.Autograd;
import org.cartengine.engine.autograd.Node;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;
import org.cartengine.engine.backend.Buffer;
import org.cartengine.engine.ops.Elementwise;
import org.cartengine.engine.ops.Linalg;
import org.cartengine.engine.ops.Reductions;
import org.cartengine.engine.ops.Views;

/**
 * An n-dimensional array on one backend, with an optional autograd history.
 *
 * <p>Data lives in a {@link Buffer} of the backend (device memory on a GPU); a tensor is a view of
 * it: shape, strides and an element offset. Views (reshape, transpose, permute, slice, expand) share
 * the buffer. Kernels take contiguous buffers, so ops call {@link #contiguous()} first, which copies
 * only when the view is not already contiguous from offset 0. Host copies happen only in the
 * factory methods and the {@code to*Array}/{@link #item()} readers.
 */
public final class Tensor implements AutoCloseable {
  private final Storage storage;
  private final int[] shape;
  private final int[] strides;
  private final int offset;
  private final DType dtype;

  private boolean requiresGrad;
  private Tensor grad;
  private Node node;
  private String name;

  /** Shared, reference-counted holder of a buffer: closing the last view releases the memory. */
  static final class Storage {
    final Buffer buffer;
    // Atomic: the shards of a data-parallel step take views of the same parameters on several threads.
    final java.util.concurrent.atomic.AtomicInteger refs = new java.util.concurrent.atomic.AtomicInteger(1);

    Storage(Buffer buffer) {
      this.buffer = buffer;
      org.cartengine.engine.backend.BufferScope.track(buffer);
    }
  }

  private Tensor(Storage storage, int[] shape, int[] strides, int offset, DType dtype) {
    this.storage = storage;
    this.shape = shape;
    this.strides = strides;
    this.offset = offset;
    this.dtype = dtype;
    this.numel = Shape.numel(shape);
    this.contiguous = numel <= 1 || Arrays.equals(strides, Shape.contiguousStrides(shape));
  }

  /** Derived once: shapes and strides never change after construction. */
  private final int numel;
  private final boolean contiguous;

  // ------------------------------------------------------------------ factories

  /** A tensor owning a fresh zero-filled buffer. */
  public static Tensor zeros(Backend be, DType dtype, int... shape) {
    return allocated(be, dtype, shape, true);
  }

  private static Tensor allocated(Backend be, DType dtype, int[] shape, boolean zeroed) {
    int n = Shape.numel(shape);
    if (!be.supports(dtype)) throw new IllegalArgumentException("backend " + be.name() + " does not support " + dtype);
    Buffer b = zeroed ? be.allocate(dtype, n) : be.allocateUninitialized(dtype, n);
    return new Tensor(new Storage(b), shape.clone(), Shape.contiguousStrides(shape), 0, dtype);
  }

  /** A tensor whose contents are unspecified, for an output the caller overwrites entirely ({@link Backend#allocateUninitialized}). */
  public static Tensor uninitialized(Backend be, DType dtype, int... shape) {
    return allocated(be, dtype, shape, false);
  }

  public static Tensor zeros(DType dtype, int... shape) {
    return zeros(Backends.get(), dtype, shape);
  }

  public static Tensor zeros(int... shape) {
    return zeros(Backends.get(), DType.F32, shape);
  }

  public static Tensor full(Backend be, DType dtype, double value, int... shape) {
    Tensor t = zeros(be, dtype, shape);
    if (value != 0) be.fill(t.buffer(), 0, t.numel(), value);
    return t;
  }

  public static Tensor ones(Backend be, DType dtype, int... shape) {
    return full(be, dtype, 1, shape);
  }

  /** Wraps an existing buffer (used by backends and ops). */
  public static Tensor wrap(Buffer buffer, int... shape) {
    if (Shape.numel(shape) != buffer.length()) throw new IllegalArgumentException("wrap: shape " + Shape.str(shape) + " does not match buffer of " + buffer.length());
    return new Tensor(new Storage(buffer), shape.clone(), Shape.contiguousStrides(shape), 0, buffer.dtype());
  }

  public static Tensor of(Backend be, float[] data, int... shape) {
    check(data.length, shape);
    Tensor t = zeros(be, DType.F32, shape);
    be.write(t.buffer(), 0, data, 0, data.length);
    return t;
  }

  public static Tensor of(float[] data, int... shape) {
    return of(Backends.get(), data, shape);
  }

  public static Tensor of(Backend be, double[] data, int... shape) {
    check(data.length, shape);
    Tensor t = zeros(be, DType.F64, shape);
    be.write(t.buffer(), 0, data, 0, data.length);
    return t;
  }

  /** Float data stored as dtype (F32 or F64). */
  public static Tensor of(Backend be, DType dtype, double[] data, int... shape) {
    check(data.length, shape);
    Tensor t = zeros(be, dtype, shape);
    be.write(t.buffer(), 0, data, 0, data.length);
    return t;
  }

  public static Tensor ofInts(Backend be, int[] data, int... shape) {
    check(data.length, shape);
    Tensor t = zeros(be, DType.I32, shape);
    be.write(t.buffer(), 0, data, 0, data.length);
    return t;
  }

  public static Tensor ofInts(int[] data, int... shape) {
    return ofInts(Backends.get(), data, shape);
  }

  public static Tensor scalar(Backend be, DType dtype, double v) {
    return full(be, dtype, v);
  }

  /** Normal(0, std) values drawn on the host from a seeded RNG (reproducible on every backend). */
  public static Tensor randn(Backend be, DType dtype, Random rng, double std, int... shape) {
    double[] d = new double[Shape.numel(shape)];
    for (int i = 0; i < d.length; i++) d[i] = rng.nextGaussian() * std;
    return of(be, dtype, d, shape);
  }

  /** Uniform(lo, hi) values from a seeded RNG. */
  public static Tensor uniform(Backend be, DType dtype, Random rng, double lo, double hi, int... shape) {
    double[] d = new double[Shape.numel(shape)];
    for (int i = 0; i < d.length; i++) d[i] = lo + (hi - lo) * rng.nextDouble();
    return of(be, dtype, d, shape);
  }

  private static void check(int len, int[] shape) {
    if (len != Shape.numel(shape)) throw new IllegalArgumentException("data of length " + len + " does not fit shape " + Shape.str(shape));
  }

  // ------------------------------------------------------------------ metadata

  public int[] shape() {
    return shape.clone();
  }

  public int dim(int axis) {
    return shape[Shape.axis(axis, shape.length, "dim")];
  }

  public int rank() {
    return shape.length;
  }

  public int numel() {
    return numel;
  }

  public DType dtype() {
    return dtype;
  }

  public Backend backend() {
    return storage.buffer.backend();
  }

  public int[] strides() {
    return strides.clone();
  }

  public int offset() {
    return offset;
  }

  /** The underlying buffer; throws if released. Ops pass it to backend kernels. */
  public Buffer buffer() {
    // The message is built only on failure: this runs for every operand of every op.
    // A closed view is unusable even while other views keep the shared buffer alive.
    if (closed) throw new IllegalStateException(describe() + ": used after close() (buffer of " + storage.buffer.length() + " x " + dtype + " on " + storage.buffer.backend().name() + ")");
    if (storage.buffer.isClosed()) storage.buffer.checkOpen(describe());
    return storage.buffer;
  }

  private String describe() {
    return "tensor " + (name == null ? "" : name + " ") + Shape.str(shape);
  }

  public boolean isContiguous() {
    return contiguous;
  }

  public String name() {
    return name;
  }

  public Tensor named(String n) {
    this.name = n;
    return this;
  }

  @Override
  public String toString() {
    return "Tensor" + Shape.str(shape) + " " + dtype + " on " + backend().name() + (requiresGrad ? " (requires grad)" : "");
  }

  // ------------------------------------------------------------------ host access (the edges)

  public float[] toFloatArray() {
    Tensor c = contiguous();
    float[] out = new float[numel()];
    c.backend().read(c.buffer(), c.offset, out, 0, out.length);
    return out;
  }

  public double[] toDoubleArray() {
    Tensor c = contiguous();
    double[] out = new double[numel()];
    c.backend().read(c.buffer(), c.offset, out, 0, out.length);
    return out;
  }

  public int[] toIntArray() {
    Tensor c = contiguous();
    int[] out = new int[numel()];
    c.backend().read(c.buffer(), c.offset, out, 0, out.length);
    return out;
  }

  /** The value of a one-element tensor. */
  public double item() {
    if (numel() != 1) throw new IllegalStateException("item(): tensor of shape " + Shape.str(shape) + " has " + numel() + " elements, not 1");
    return toDoubleArray()[0];
  }

  /** Copies to another backend (or dtype), detached from the graph. */
  public Tensor to(Backend be, DType dt) {
    if (dt == DType.I32 || dtype == DType.I32) {
      if (dt != dtype) throw new IllegalArgumentException("to: cannot convert " + dtype + " to " + dt);
      return ofInts(be, toIntArray(), shape);
    }
    if (be == backend()) return Elementwise.cast(this, dt);
    return of(be, dt, toDoubleArray(), shape);
  }

  // ------------------------------------------------------------------ autograd

  public boolean requiresGrad() {
    return requiresGrad;
  }

  /** Marks a leaf as a variable whose gradient is wanted. */
  public Tensor requiresGrad(boolean on) {
    if (on && !dtype.isFloating()) throw new IllegalArgumentException("requiresGrad: " + dtype + " tensors have no gradient");
    this.requiresGrad = on;
    return this;
  }

  public Tensor grad() {
    return grad;
  }

  public void setGrad(Tensor g) {
    this.grad = g;
  }

  public Node node() {
    return node;
  }

  public void setNode(Node n) {
    this.node = n;
  }

  /** The same data without history: gradients stop here (the paper's sg[.] operator). */
  public Tensor detach() {
    storage.refs.incrementAndGet();
    return new Tensor(storage, shape, strides, offset, dtype);
  }

  /** Backward from a scalar (gradient 1). */
  public void backward() {
    if (numel() != 1) throw new IllegalStateException("backward(): called on a non-scalar of shape " + Shape.str(shape) + " without a gradient; pass one with backward(grad)");
    Autograd.backward(this, Tensor.full(backend(), dtype, 1.0, shape));
  }

  public void backward(Tensor gradient) {
    Autograd.backward(this, gradient);
  }

  public void zeroGrad() {
    grad = null;
  }

  // ------------------------------------------------------------------ views

  /** A new view of the same storage (increments its reference count). */
  public Tensor view(int[] newShape, int[] newStrides, int newOffset) {
    storage.refs.incrementAndGet();
    return new Tensor(storage, newShape, newStrides, newOffset, dtype);
  }

  public Tensor contiguous() {
    return Views.contiguous(this);
  }

  public Tensor reshape(int... newShape) {
    return Views.reshape(this, newShape);
  }

  public Tensor transpose(int a, int b) {
    return Views.transpose(this, a, b);
  }

  /** Transpose of the last two axes. */
  public Tensor t() {
    return Views.transpose(this, -2, -1);
  }

  public Tensor permute(int... axes) {
    return Views.permute(this, axes);
  }

  public Tensor slice(int axis, int start, int end) {
    return Views.slice(this, axis, start, end);
  }

  public Tensor expand(int... newShape) {
    return Views.expand(this, newShape);
  }

  public Tensor unsqueeze(int axis) {
    return Views.unsqueeze(this, axis);
  }

  public Tensor squeeze(int axis) {
    return Views.squeeze(this, axis);
  }

  // ------------------------------------------------------------------ common ops (see org.cartengine.engine.ops)

  public Tensor add(Tensor o) {
    return Elementwise.add(this, o);
  }

  public Tensor sub(Tensor o) {
    return Elementwise.sub(this, o);
  }

  public Tensor mul(Tensor o) {
    return Elementwise.mul(this, o);
  }

  public Tensor div(Tensor o) {
    return Elementwise.div(this, o);
  }

  public Tensor add(double c) {
    return Elementwise.addScalar(this, c);
  }

  public Tensor mul(double c) {
    return Elementwise.mulScalar(this, c);
  }

  public Tensor neg() {
    return Elementwise.neg(this);
  }

  public Tensor exp() {
    return Elementwise.exp(this);
  }

  public Tensor log() {
    return Elementwise.log(this);
  }

  public Tensor sqrt() {
    return Elementwise.sqrt(this);
  }

  public Tensor pow(double p) {
    return Elementwise.pow(this, p);
  }

  public Tensor relu() {
    return Elementwise.relu(this);
  }

  public Tensor gelu() {
    return Elementwise.gelu(this);
  }

  public Tensor tanh() {
    return Elementwise.tanh(this);
  }

  public Tensor sigmoid() {
    return Elementwise.sigmoid(this);
  }

  public Tensor matmul(Tensor o) {
    return Linalg.matmul(this, o);
  }

  public Tensor sum() {
    return Reductions.sumAll(this);
  }

  public Tensor mean() {
    return Reductions.meanAll(this);
  }

  public Tensor sum(int axis, boolean keepDim) {
    return Reductions.sum(this, axis, keepDim);
  }

  public Tensor mean(int axis, boolean keepDim) {
    return Reductions.mean(this, axis, keepDim);
  }

  public Tensor max(int axis, boolean keepDim) {
    return Reductions.max(this, axis, keepDim);
  }

  // ------------------------------------------------------------------ lifetime

  /** Releases this view; the buffer is released when its last view is closed. Idempotent per view. */
  private boolean closed;

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    if (storage.refs.decrementAndGet() == 0) storage.buffer.close();
  }
}
