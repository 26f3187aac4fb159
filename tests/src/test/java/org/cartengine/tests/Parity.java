package org.cartengine.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Buffer;
import org.cartengine.engine.backend.reference.ReferenceBackend;

/**
 * A backend under test next to the reference backend. Inputs are made once, as float values, and
 * stored F32 on the backend under test and F64 on the reference, so both see exactly the same
 * numbers; a kernel is run on both ({@link #both}) and its outputs compared with the tolerance
 * {@code atol + |ref| * rtol}, which a test widens by sqrt(K) for a reduction over K terms.
 */
final class Parity {
  /** Relative tolerance of one float32 result: 8 units in the last place. */
  static final double EPS = 0x1p-20;
  static final double ATOL = 1e-6;

  final Backend ref = new ReferenceBackend();
  final String label;
  final Backend dut;
  final Random rnd;

  Parity(String label, Backend dut, long seed) {
    this.label = label;
    this.dut = dut;
    this.rnd = new Random(seed);
  }

  /** The same data on both backends: F64 on the reference, F32 (or I32) on the backend under test. */
  static final class Twin {
    final Buffer ref, dut;
    final int n;

    Twin(Buffer ref, Buffer dut, int n) {
      this.ref = ref;
      this.dut = dut;
      this.n = n;
    }
  }

  /** Which of a twin's buffers a kernel call gets. */
  interface Side {
    Buffer b(Twin t);
  }

  interface Kernel {
    void run(Backend be, Side s);
  }

  /** Runs a kernel on the reference and on the backend under test, each with its own buffers. */
  void both(Kernel k) {
    k.run(ref, t -> t == null ? null : t.ref);
    k.run(dut, t -> t == null ? null : t.dut);
    dut.synchronize();
  }

  Twin floats(float[] v) {
    Buffer r = ref.allocate(DType.F64, v.length), d = dut.allocate(DType.F32, v.length);
    double[] dv = new double[v.length];
    for (int i = 0; i < v.length; i++) dv[i] = v[i];
    ref.write(r, 0, dv, 0, v.length);
    dut.write(d, 0, v, 0, v.length);
    return new Twin(r, d, v.length);
  }

  Twin ints(int[] v) {
    Buffer r = ref.allocate(DType.I32, v.length), d = dut.allocate(DType.I32, v.length);
    ref.write(r, 0, v, 0, v.length);
    dut.write(d, 0, v, 0, v.length);
    return new Twin(r, d, v.length);
  }

  /** n uniform floats in [lo, hi). */
  float[] uniform(int n, double lo, double hi) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
    return v;
  }

  /** n floats with magnitude in [lo, hi) and a random sign (away from zero: divisors, kinks). */
  float[] signed(int n, double lo, double hi) {
    float[] v = uniform(n, lo, hi);
    for (int i = 0; i < n; i++) if (rnd.nextBoolean()) v[i] = -v[i];
    return v;
  }

  Twin random(int n) {
    return floats(uniform(n, -1, 1));
  }

  Twin zeros(int n) {
    return floats(new float[n]);
  }

  /** A size for a test axis: a ragged size that is no multiple of a vector width, or a random one up to max. */
  int size(int max) {
    int[] ragged = {1, 7, 33, 65, 130};
    if (rnd.nextInt(3) > 0) {
      int s = ragged[rnd.nextInt(ragged.length)];
      if (s <= max) return s;
    }
    return 1 + rnd.nextInt(max);
  }

  double[] readRef(Twin t) {
    double[] v = new double[t.n];
    ref.read(t.ref, 0, v, 0, t.n);
    return v;
  }

  float[] readDut(Twin t) {
    float[] v = new float[t.n];
    dut.read(t.dut, 0, v, 0, t.n);
    return v;
  }

  int[] readRefInts(Twin t) {
    int[] v = new int[t.n];
    ref.read(t.ref, 0, v, 0, t.n);
    return v;
  }

  int[] readDutInts(Twin t) {
    int[] v = new int[t.n];
    dut.read(t.dut, 0, v, 0, t.n);
    return v;
  }

  /** Elementwise |dut - ref| <= atol + |ref| * rtol; infinities must match exactly, NaN nowhere. */
  void assertClose(String what, Twin t, double atol, double rtol) {
    double[] r = readRef(t);
    float[] d = readDut(t);
    for (int i = 0; i < t.n; i++) {
      double e = r[i], g = d[i];
      boolean ok = Double.isInfinite(e) ? g == e : Math.abs(g - e) <= atol + Math.abs(e) * rtol;
      if (!ok) fail(label + " " + what + ": element " + i + " of " + t.n + " is " + g + ", reference " + e
          + " (|diff| " + Math.abs(g - e) + " > tol " + (atol + Math.abs(e) * rtol) + ")");
    }
  }

  /** Tolerance for a result that sums k terms of magnitude up to about 1. */
  void assertClose(String what, Twin t, int k) {
    double s = Math.sqrt(Math.max(1, k));
    assertClose(what, t, ATOL * s, EPS * s);
  }

  void assertIntsEqual(String what, Twin t) {
    int[] r = readRefInts(t), d = readDutInts(t);
    for (int i = 0; i < t.n; i++) assertEquals(r[i], d[i], label + " " + what + ": element " + i + " of " + t.n);
  }
}
