package org.cartengine.engine.backend.parity;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntToDoubleFunction;
import java.util.function.Supplier;
import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Buffer;
import org.cartengine.engine.backend.reference.ReferenceBackend;

/**
 * A backend under test beside the reference backend, for one parity check. Inputs are made once, rounded to
 * the dtype under test, and stored in that dtype on the backend under test and in F64 on the reference, so
 * both compute on exactly the same numbers and the reference is a float64 oracle. A kernel runs on both
 * ({@link #both}) and every output is held to the one tolerance rule ({@link #close}). Failures throw
 * {@link AssertionError} naming the backend, the op, the shape and the element; in a dry run
 * ({@code compare == false}) the calls are made and nothing is compared.
 */
public final class Parity {
  /**
   * Unit of the tolerance rule: about 8 units in the last place of the result, and an absolute floor of the
   * same size for results that cancel to about zero. F32 and F64 are the storage types; TF32 is the precision
   * of the device's TF32 GEMM (10-bit mantissa), whose results are F32 but computed from rounded inputs.
   */
  public enum Precision {
    F32(0x1p-20, 1e-6),
    F64(0x1p-49, 2e-15),
    TF32(0x1p-9, 0x1p-9);

    final double eps;
    final double atol;

    Precision(double eps, double atol) {
      this.eps = eps;
      this.atol = atol;
    }

    static Precision of(DType dt) {
      return dt == DType.F64 ? F64 : F32;
    }
  }

  public final Backend ref = new ReferenceBackend();
  public final Backend dut;
  public final DType dt;
  public final Random rnd;
  final String label;
  final boolean compare;
  private final List<Buffer> owned = new ArrayList<>();

  Parity(String label, Backend dut, DType dt, long seed, boolean compare) {
    this.label = label;
    this.dut = dut;
    this.dt = dt;
    this.rnd = new Random(seed);
    this.compare = compare;
  }

  /** The same data on both backends: F64 (or I32) on the reference, the dtype under test (or I32) on the other. */
  public static final class Twin {
    public final Buffer ref;
    public final Buffer dut;
    public final int n;

    Twin(Buffer ref, Buffer dut, int n) {
      this.ref = ref;
      this.dut = dut;
      this.n = n;
    }
  }

  /** Which of a twin's buffers a kernel call gets. */
  public interface Side {
    Buffer b(Twin t);
  }

  public interface Kernel {
    void run(Backend be, Side s);
  }

  /** Frees every buffer this check allocated (called once the check has ended, passed or not). */
  void release() {
    for (Buffer b : owned) b.close();
    owned.clear();
  }

  /** A buffer on the backend under test that the check frees at its end. */
  public Buffer allocate(DType type, int n) {
    Buffer b = dut.allocate(type, n);
    owned.add(b);
    return b;
  }

  private Twin twin(DType type, int n) {
    Buffer r = ref.allocate(type == DType.I32 ? DType.I32 : DType.F64, n);
    owned.add(r);
    return new Twin(r, allocate(type, n), n);
  }

  /** Runs a kernel on the reference and on the backend under test, each with its own buffers. */
  public void both(Kernel k) {
    k.run(ref, t -> t == null ? null : t.ref);
    k.run(dut, t -> t == null ? null : t.dut);
    dut.synchronize();
  }

  // ---------------------------------------------------------------- inputs

  /** v rounded to the dtype under test, on both sides. */
  public Twin values(double[] v) {
    Twin t = twin(dt, v.length);
    set(t, v);
    return t;
  }

  public Twin floats(float[] v) {
    double[] w = new double[v.length];
    for (int i = 0; i < v.length; i++) w[i] = v[i];
    return values(w);
  }

  public Twin ints(int[] v) {
    Twin t = twin(DType.I32, v.length);
    ref.write(t.ref, 0, v, 0, v.length);
    dut.write(t.dut, 0, v, 0, v.length);
    return t;
  }

  /** Replaces a twin's values on both sides (rounded to the dtype under test), e.g. with the reference's result. */
  public void set(Twin t, double[] v) {
    double[] w = v.clone();
    if (dt == DType.F32) for (int i = 0; i < w.length; i++) w[i] = (float) w[i];
    ref.write(t.ref, 0, w, 0, t.n);
    dut.write(t.dut, 0, w, 0, t.n);
  }

  /** The reference's result as a new input for both sides, so backward kernels get identical saved tensors. */
  public Twin refResult(Twin t) {
    return values(readRef(t));
  }

  /** n uniform floats in [lo, hi). */
  public float[] uniform(int n, double lo, double hi) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
    return v;
  }

  /** n floats with magnitude in [lo, hi) and a random sign (away from zero: divisors, kinks). */
  public float[] signed(int n, double lo, double hi) {
    float[] v = uniform(n, lo, hi);
    for (int i = 0; i < n; i++) if (rnd.nextBoolean()) v[i] = -v[i];
    return v;
  }

  /** n values in [lo, hi) at the full precision of the dtype under test. */
  public Twin rand(int n, double lo, double hi) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * rnd.nextDouble();
    return values(v);
  }

  public Twin random(int n) {
    return rand(n, -1, 1);
  }

  public Twin zeros(int n) {
    return values(new double[n]);
  }

  /** n zeros of another type (the other float type for casts, I32 for indices). */
  public Twin zeros(DType type, int n) {
    return twin(type, n);
  }

  public int[] randInts(int n, int lo, int hi) {
    int[] v = new int[n];
    for (int i = 0; i < n; i++) v[i] = lo + rnd.nextInt(hi - lo);
    return v;
  }

  /** A size for a test axis: a ragged size that is no multiple of a vector width, or a random one up to max. */
  public int size(int max) {
    int[] ragged = {1, 7, 33, 65, 130};
    if (rnd.nextInt(3) > 0) {
      int s = ragged[rnd.nextInt(ragged.length)];
      if (s <= max) return s;
    }
    return 1 + rnd.nextInt(max);
  }

  // ---------------------------------------------------------------- outputs

  public double[] readRef(Twin t) {
    return doubles(ref, t.ref, t.n);
  }

  public double[] readDut(Twin t) {
    return doubles(dut, t.dut, t.n);
  }

  public int[] readRefInts(Twin t) {
    return intsOf(ref, t.ref, t.n);
  }

  public int[] readDutInts(Twin t) {
    return intsOf(dut, t.dut, t.n);
  }

  private static double[] doubles(Backend be, Buffer b, int n) {
    double[] v = new double[n];
    be.read(b, 0, v, 0, n);
    return v;
  }

  private static int[] intsOf(Backend be, Buffer b, int n) {
    int[] v = new int[n];
    be.read(b, 0, v, 0, n);
    return v;
  }

  // ---------------------------------------------------------------- the tolerance rule

  /**
   * The one tolerance rule, element by element: {@code |dut - ref| <= sqrt(K) * (atol * S + eps * |ref|)} with eps
   * and atol of the precision (about 8 units in the last place), where K is the number of terms the result sums
   * (1 for an elementwise op, 0 for a copy, select or cast, which must be exact) and S the magnitude of those terms
   * (1 for inputs of order one; a row shifted by 1e4 has S = 1e4, since no float result near 1e4 is closer than
   * its last place). Infinities and NaN must stand where the reference has them.
   */
  public void close(String what, Twin t, int k, Precision pr, IntToDoubleFunction magnitude) {
    if (!compare) return;
    double[] r = readRef(t), d = readDut(t);
    double s = Math.sqrt(k);
    for (int i = 0; i < t.n; i++) {
      double e = r[i], g = d[i], tol = s * (pr.atol * magnitude.applyAsDouble(i) + pr.eps * Math.abs(e));
      boolean ok = Double.isNaN(e) ? Double.isNaN(g) : Double.isInfinite(e) ? g == e : Math.abs(g - e) <= tol;
      if (!ok) throw new AssertionError(label + " " + what + ": element " + i + " of " + t.n + " is " + g + ", reference " + e
          + " (|diff| " + Math.abs(g - e) + " > tol " + tol + ", K " + k + ")");
    }
  }

  /** The rule for terms of order one. */
  public void close(String what, Twin t, int k, Precision pr) {
    close(what, t, k, pr, i -> 1);
  }

  /** The rule at the precision of the dtype under test, for terms of the given magnitude. */
  public void close(String what, Twin t, int k, IntToDoubleFunction magnitude) {
    close(what, t, k, Precision.of(dt), magnitude);
  }

  /** The rule at the precision of the dtype under test. */
  public void close(String what, Twin t, int k) {
    close(what, t, k, Precision.of(dt));
  }

  /** K = 0: the result must equal the reference's exactly. */
  public void exact(String what, Twin t) {
    close(what, t, 0);
  }

  /** A scalar result under the same rule. */
  public void close(String what, double got, double want, int k) {
    if (!compare) return;
    Precision pr = Precision.of(dt);
    double tol = Math.sqrt(k) * (pr.atol + pr.eps * Math.abs(want));
    if (!(Math.abs(got - want) <= tol)) throw new AssertionError(label + " " + what + ": " + got + ", reference " + want + " (tol " + tol + ")");
  }

  /** Index outputs are equal to the reference's, element by element. */
  public void sameInts(String what, Twin t) {
    if (!compare) return;
    int[] r = readRefInts(t), d = readDutInts(t);
    for (int i = 0; i < t.n; i++)
      if (r[i] != d[i]) throw new AssertionError(label + " " + what + ": index element " + i + " of " + t.n + " is " + d[i] + ", reference " + r[i]);
  }

  /** A property of the backend's outputs that the rule above does not express (masks, ties). */
  public void check(boolean ok, Supplier<String> what) {
    if (compare && !ok) throw new AssertionError(label + " " + what.get());
  }
}
