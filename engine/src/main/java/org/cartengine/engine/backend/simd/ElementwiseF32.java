package org.cartengine.engine.backend.simd;

import static org.cartengine.engine.backend.reference.ReferenceBackend.GELU_C;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.cartengine.engine.backend.BinaryOp;
import org.cartengine.engine.backend.Dropout;
import org.cartengine.engine.backend.UnaryOp;
import org.cartengine.engine.backend.reference.ReferenceBackend;

/**
 * Elementwise F32 kernels: unary and binary ops with their backward, where, sigmoid gate, dropout,
 * axpy and sum of squares. Every loop has the same shape: a vector body over whole vectors (skipped
 * when SIMD is off) and a scalar tail that finishes the rest with the reference backend's scalar
 * definition, so the scalar path is the tail run over everything. Work is split into contiguous
 * chunks over the threads.
 */
final class ElementwiseF32 {
  private static final VectorSpecies<Float> S = Vec.F;
  private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, Vec.F.vectorShape());
  private static final int L = Vec.L;

  private final boolean simd;
  private final Parallel par;

  ElementwiseF32(boolean simd, Parallel par) {
    this.simd = simd;
    this.par = par;
  }

  /** End of the vector body for [lo, hi): hi itself is never passed by a whole vector. */
  private int bound(int lo, int hi) {
    return simd ? lo + (hi - lo) / L * L : lo;
  }

  // ---------------------------------------------------------------- unary

  void unary(UnaryOp op, float param, float[] x, float[] y, int n) {
    par.forRange(n, cost(op), (lo, hi) -> {
      int i = lo, end = bound(lo, hi);
      if (op == UnaryOp.GELU) {
        // GELU (every feed-forward layer) has its loop written out: forward(op, ...) takes and returns a vector, and
        // where C2 does not inline it (a large switch, profiled cold) both are boxed on every call.
        for (; i < end; i += L) {
          FloatVector v = FloatVector.fromArray(S, x, i);
          FloatVector u = v.mul(v).mul(0.044715f).add(1f).mul(v).mul((float) GELU_C);
          u.lanewise(VectorOperators.TANH).add(1f).mul(v).mul(0.5f).intoArray(y, i);
        }
      }
      for (; i < end; i += L) forward(op, param, FloatVector.fromArray(S, x, i)).intoArray(y, i);
      for (; i < hi; i++) y[i] = (float) ReferenceBackend.unaryForward(op, param, x[i]);
    });
  }

  private static long cost(UnaryOp op) {
    switch (op) {
      case EXP: case LOG: case GELU: case ELU: case TANH: case SIGMOID: case POW: case GELU_ERF: return 16;
      default: return 1;
    }
  }

  private static FloatVector forward(UnaryOp op, float param, FloatVector x) {
    switch (op) {
      case NEG: return x.neg();
      case EXP: return x.lanewise(VectorOperators.EXP);
      case LOG: return x.lanewise(VectorOperators.LOG);
      case SQRT: return x.sqrt();
      case RELU: return x.max(0f);
      // GELU never reaches here: unary writes its loop out.
      case ELU: return x.blend(x.lanewise(VectorOperators.EXPM1).mul(param), x.compare(VectorOperators.LE, 0f));
      case TANH: return x.lanewise(VectorOperators.TANH);
      case SIGMOID: return sigmoid(x);
      case POW: return x.lanewise(VectorOperators.POW, param);
      case ABS: return x.abs();
      case SQUARE: return x.mul(x);
      case GELU_ERF: return x.mul(normalCdf(x));
      default: throw new IllegalArgumentException(op.toString());
    }
  }

  /**
   * Phi(x) = erfc(-x / sqrt 2) / 2 with Abramowitz-Stegun 7.1.26 for erfc(u), u = |x| / sqrt 2: t = 1/(1 + p u),
   * erfc(u) ~ t (a1 + t (a2 + ... a5 t)) e^{-u^2}, absolute error under 1.5e-7 (7e-8 on Phi). The Vector API has no
   * erf; this form needs one exp, one division and no cancellation on either side of 0 (Phi(x) = erfc(u)/2 for x < 0).
   */
  private static FloatVector normalCdf(FloatVector x) {
    FloatVector u = x.abs().mul(0.70710677f);
    FloatVector t = FloatVector.broadcast(S, 1f).div(u.mul(0.3275911f).add(1f));
    FloatVector poly = t.mul(1.061405429f).add(-1.453152027f).mul(t).add(1.421413741f).mul(t).add(-0.284496736f).mul(t).add(0.254829592f).mul(t);
    FloatVector half = poly.mul(u.mul(u).neg().lanewise(VectorOperators.EXP)).mul(0.5f);
    return half.neg().add(1f).blend(half, x.compare(VectorOperators.LT, 0f));
  }

  static FloatVector sigmoid(FloatVector x) {
    // 1/(1+e^-x): for x << 0, e^-x overflows to +inf and the result is a clean 0.
    return FloatVector.broadcast(S, 1f).div(x.neg().lanewise(VectorOperators.EXP).add(1f));
  }

  void unaryBackward(UnaryOp op, float param, float[] x, float[] y, float[] dy, float[] dx, int n) {
    par.forRange(n, cost(op), (lo, hi) -> {
      int i = lo, end = bound(lo, hi);
      if (op == UnaryOp.GELU) { // written out, as in unary
        for (; i < end; i += L) {
          FloatVector v = FloatVector.fromArray(S, x, i), x2 = v.mul(v);
          FloatVector t = x2.mul(0.044715f).add(1f).mul(v).mul((float) GELU_C).lanewise(VectorOperators.TANH);
          FloatVector du = x2.mul(3 * 0.044715f).add(1f).mul((float) GELU_C);
          FloatVector sech2 = t.mul(t).neg().add(1f);
          t.add(1f).mul(0.5f).add(v.mul(0.5f).mul(sech2).mul(du)).mul(FloatVector.fromArray(S, dy, i)).intoArray(dx, i);
        }
      }
      for (; i < end; i += L) {
        FloatVector g = FloatVector.fromArray(S, dy, i);
        derivative(op, param, FloatVector.fromArray(S, x, i), FloatVector.fromArray(S, y, i)).mul(g).intoArray(dx, i);
      }
      for (; i < hi; i++) dx[i] = (float) (dy[i] * ReferenceBackend.unaryDerivative(op, param, x[i], y[i]));
    });
  }

  private static FloatVector derivative(UnaryOp op, float param, FloatVector x, FloatVector y) {
    switch (op) {
      case NEG: return FloatVector.broadcast(S, -1f);
      case EXP: return y;
      case LOG: return FloatVector.broadcast(S, 1f).div(x);
      case SQRT: return FloatVector.broadcast(S, 0.5f).div(y);
      case RELU: return FloatVector.zero(S).blend(1f, x.compare(VectorOperators.GT, 0f));
      // GELU never reaches here: unaryBackward writes its loop out.
      case ELU: return y.add(param).blend(1f, x.compare(VectorOperators.GT, 0f));
      case TANH: return y.mul(y).neg().add(1f);
      case SIGMOID: return y.neg().add(1f).mul(y);
      case POW: return x.lanewise(VectorOperators.POW, param - 1f).mul(param);
      case ABS: return FloatVector.zero(S).blend(1f, x.compare(VectorOperators.GT, 0f)).blend(-1f, x.compare(VectorOperators.LT, 0f));
      case SQUARE: return x.mul(2f);
      case GELU_ERF: return normalCdf(x).add(x.mul(x).mul(-0.5f).lanewise(VectorOperators.EXP).mul(x).mul(0.3989422804f));
      default: throw new IllegalArgumentException(op.toString());
    }
  }

  // ---------------------------------------------------------------- binary (broadcast by strides)

  void binary(BinaryOp op, float[] a, int[] as, float[] b, int[] bs, float[] out, int[] shape) {
    Strided s = Strided.of(shape, org.cartengine.engine.Shape.contiguousStrides(shape), as, bs);
    int n = s.inner, sa = s.step(1), sb = s.step(2), parts = s.segments(par.threads);
    boolean vec = (sa == 0 || sa == 1) && (sb == 0 || sb == 1) && s.step(0) == 1;
    par.forRange(s.rows * parts, n / parts, (lo, hi) -> {
      Strided.Cursor cur = s.cursor();
      for (int t = lo; t < hi; t++) {
        int r = t / parts, j = s.segmentStart(t % parts, parts), j1 = s.segmentStart(t % parts + 1, parts);
        int[] off = cur.seek(r).off;
        int o = off[0], ia = off[1], ib = off[2];
        if (vec) {
          int end = bound(j, j1);
          if (sa == 1) j = rowOp(op, a, ia, b, ib, sb == 0, out, o, j, end);
          FloatVector ca = sa == 0 ? FloatVector.broadcast(S, a[ia]) : null, cb = sb == 0 ? FloatVector.broadcast(S, b[ib]) : null;
          for (; j < end; j += L) {
            FloatVector va = sa == 0 ? ca : FloatVector.fromArray(S, a, ia + j);
            FloatVector vb = sb == 0 ? cb : FloatVector.fromArray(S, b, ib + j);
            forward(op, va, vb).intoArray(out, o + j);
          }
        }
        for (; j < j1; j++) out[o + j] = (float) ReferenceBackend.binaryForward(op, a[ia + j * sa], b[ib + j * sb]);
      }
    });
  }

  /**
   * The training step's common rows (bias and residual adds, products) as loops of their own over
   * [j, end): one loop per op and broadcast pattern compiles to plain vector code, where the generic
   * loop's per-element op dispatch did not (the bias add of every Linear was the step's costliest
   * elementwise kernel). Returns where it stopped: end, or j for an op left to the generic loop.
   */
  private static int rowOp(BinaryOp op, float[] a, int ia, float[] b, int ib, boolean bcastB, float[] out, int o, int j, int end) {
    if (bcastB) {
      FloatVector cb = FloatVector.broadcast(S, b[ib]);
      switch (op) {
        case ADD: for (; j < end; j += L) FloatVector.fromArray(S, a, ia + j).add(cb).intoArray(out, o + j); return j;
        case SUB: for (; j < end; j += L) FloatVector.fromArray(S, a, ia + j).sub(cb).intoArray(out, o + j); return j;
        case MUL: for (; j < end; j += L) FloatVector.fromArray(S, a, ia + j).mul(cb).intoArray(out, o + j); return j;
        default: return j;
      }
    }
    switch (op) {
      case ADD: for (; j < end; j += L) FloatVector.fromArray(S, a, ia + j).add(FloatVector.fromArray(S, b, ib + j)).intoArray(out, o + j); return j;
      case SUB: for (; j < end; j += L) FloatVector.fromArray(S, a, ia + j).sub(FloatVector.fromArray(S, b, ib + j)).intoArray(out, o + j); return j;
      case MUL: for (; j < end; j += L) FloatVector.fromArray(S, a, ia + j).mul(FloatVector.fromArray(S, b, ib + j)).intoArray(out, o + j); return j;
      default: return j;
    }
  }

  private static FloatVector forward(BinaryOp op, FloatVector a, FloatVector b) {
    switch (op) {
      case ADD: return a.add(b);
      case SUB: return a.sub(b);
      case MUL: return a.mul(b);
      case DIV: return a.div(b);
      case MAX: return a.max(b);
      case MIN: return a.min(b);
      default: throw new IllegalArgumentException(op.toString());
    }
  }

  void binaryBackward(BinaryOp op, int which, float[] a, int[] as, float[] b, int[] bs, float[] dout, float[] g, int[] shape) {
    Strided s = Strided.of(shape, org.cartengine.engine.Shape.contiguousStrides(shape), as, bs);
    int n = s.inner, sa = s.step(1), sb = s.step(2), parts = s.segments(par.threads);
    boolean vec = (sa == 0 || sa == 1) && (sb == 0 || sb == 1) && s.step(0) == 1;
    par.forRange(s.rows * parts, n / parts, (lo, hi) -> {
      Strided.Cursor cur = s.cursor();
      for (int t = lo; t < hi; t++) {
        int r = t / parts, j = s.segmentStart(t % parts, parts), j1 = s.segmentStart(t % parts + 1, parts);
        int[] off = cur.seek(r).off;
        int o = off[0], ia = off[1], ib = off[2];
        if (vec) {
          int end = bound(j, j1);
          FloatVector ca = sa == 0 ? FloatVector.broadcast(S, a[ia]) : null, cb = sb == 0 ? FloatVector.broadcast(S, b[ib]) : null;
          for (; j < end; j += L) {
            FloatVector va = sa == 0 ? ca : FloatVector.fromArray(S, a, ia + j);
            FloatVector vb = sb == 0 ? cb : FloatVector.fromArray(S, b, ib + j);
            partial(op, which, va, vb, FloatVector.fromArray(S, dout, o + j)).intoArray(g, o + j);
          }
        }
        for (; j < j1; j++) g[o + j] = (float) (dout[o + j] * ReferenceBackend.binaryDerivative(op, which, a[ia + j * sa], b[ib + j * sb]));
      }
    });
  }

  /** dout * d(a op b)/d(which); MAX and MIN send the gradient to a on ties, as the reference does. */
  private static FloatVector partial(BinaryOp op, int which, FloatVector a, FloatVector b, FloatVector d) {
    FloatVector zero = FloatVector.zero(S);
    switch (op) {
      case ADD: return d;
      case SUB: return which == 0 ? d : d.neg();
      case MUL: return d.mul(which == 0 ? b : a);
      case DIV: return which == 0 ? d.div(b) : d.mul(a).div(b.mul(b)).neg();
      case MAX: {
        VectorMask<Float> toA = a.compare(VectorOperators.GE, b);
        return which == 0 ? zero.blend(d, toA) : d.blend(zero, toA);
      }
      case MIN: {
        VectorMask<Float> toA = a.compare(VectorOperators.LE, b);
        return which == 0 ? zero.blend(d, toA) : d.blend(zero, toA);
      }
      default: throw new IllegalArgumentException(op.toString());
    }
  }

  // ---------------------------------------------------------------- where, gate, dropout

  void where(float[] cond, float[] a, float[] b, float[] out, int n) {
    par.forRange(n, 1, (lo, hi) -> {
      int i = lo, end = bound(lo, hi);
      for (; i < end; i += L) {
        VectorMask<Float> m = FloatVector.fromArray(S, cond, i).compare(VectorOperators.NE, 0f);
        FloatVector.fromArray(S, b, i).blend(FloatVector.fromArray(S, a, i), m).intoArray(out, i);
      }
      for (; i < hi; i++) out[i] = cond[i] != 0 ? a[i] : b[i];
    });
  }

  /** out = sigmoid(a) * b: CART's fine-fusion gate (paper eqs. 4-5). */
  void sigmoidGate(float[] a, float[] b, float[] out, int n) {
    par.forRange(n, 16, (lo, hi) -> {
      int i = lo, end = bound(lo, hi);
      for (; i < end; i += L) sigmoid(FloatVector.fromArray(S, a, i)).mul(FloatVector.fromArray(S, b, i)).intoArray(out, i);
      for (; i < hi; i++) out[i] = (float) (ReferenceBackend.sigmoid(a[i]) * b[i]);
    });
  }

  /** da = dout * b * s(1-s), db = dout * s; either output may be null. */
  void sigmoidGateBackward(float[] a, float[] b, float[] dout, float[] da, float[] db, int n) {
    par.forRange(n, 16, (lo, hi) -> {
      int i = lo, end = bound(lo, hi);
      for (; i < end; i += L) {
        FloatVector s = sigmoid(FloatVector.fromArray(S, a, i)), d = FloatVector.fromArray(S, dout, i);
        if (da != null) d.mul(FloatVector.fromArray(S, b, i)).mul(s).mul(s.neg().add(1f)).intoArray(da, i);
        if (db != null) d.mul(s).intoArray(db, i);
      }
      for (; i < hi; i++) {
        double s = ReferenceBackend.sigmoid(a[i]);
        if (da != null) da[i] = (float) (dout[i] * b[i] * s * (1 - s));
        if (db != null) db[i] = (float) (dout[i] * s);
      }
    });
  }

  /**
   * Inverted dropout with {@link Dropout}'s counter hash, computed on int vectors. Element i is kept
   * iff uniform(i) = (hash >>> 8) / 2^24 >= p, i.e. iff the integer hash >>> 8 >= ceil(p * 2^24):
   * the same decision, exactly, as the scalar definition.
   */
  void dropout(float[] x, float[] y, int n, double p, long seed) {
    float scale = (float) (1 / (1 - p));
    int threshold = (int) Math.min(1 << 24, Math.ceil(Math.max(0, p) * (1 << 24)));
    int s0 = (int) seed, s1 = (int) (seed >>> 32) * 0x85EBCA6B;
    int[] iota = new int[L];
    for (int l = 0; l < L; l++) iota[l] = l;
    IntVector lanes = IntVector.fromArray(I, iota, 0);
    par.forRange(n, 8, (lo, hi) -> {
      int i = lo, end = bound(lo, hi);
      for (; i < end; i += L) {
        IntVector h = lanes.add(i).mul(0x9E3779B9).lanewise(VectorOperators.XOR, s0).lanewise(VectorOperators.XOR, s1);
        h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16)).mul(0x7FEB352D);
        h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 15)).mul(0x846CA68B);
        h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16));
        VectorMask<Float> keep = h.lanewise(VectorOperators.LSHR, 8).compare(VectorOperators.GE, threshold).cast(S);
        FloatVector.zero(S).blend(FloatVector.fromArray(S, x, i).mul(scale), keep).intoArray(y, i);
      }
      for (; i < hi; i++) y[i] = Dropout.keep(seed, i, p) ? x[i] * scale : 0f;
    });
  }

  // ---------------------------------------------------------------- blas-1

  void axpy(float alpha, float[] x, float[] y, int n) {
    FloatVector va = FloatVector.broadcast(S, alpha);
    par.forRange(n, 1, (lo, hi) -> {
      int i = lo, end = bound(lo, hi);
      for (; i < end; i += L) FloatVector.fromArray(S, x, i).fma(va, FloatVector.fromArray(S, y, i)).intoArray(y, i);
      for (; i < hi; i++) y[i] += alpha * x[i];
    });
  }

  /** Sum of squares: vector partial sums over blocks of 1024 elements, blocks added in double. */
  double sumSquares(float[] x, int n) {
    int blocks = (n + 1023) / 1024;
    double[] part = new double[blocks];
    par.forRange(blocks, 1024, (lo, hi) -> {
      for (int blk = lo; blk < hi; blk++) {
        int from = blk * 1024, to = Math.min(n, from + 1024);
        int i = from, end = bound(from, to);
        FloatVector acc = FloatVector.zero(S);
        for (; i < end; i += L) {
          FloatVector v = FloatVector.fromArray(S, x, i);
          acc = v.fma(v, acc);
        }
        double s = simd ? acc.reduceLanes(VectorOperators.ADD) : 0;
        for (; i < to; i++) s += (double) x[i] * x[i];
        part[blk] = s;
      }
    });
    double s = 0;
    for (double v : part) s += v;
    return s;
  }
}
