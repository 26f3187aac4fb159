package org.cartengine.engine.backend.parity;

import static org.cartengine.engine.backend.parity.MemoryChecks.LENGTHS;

import java.util.Arrays;
import org.cartengine.engine.Shape;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.BinaryOp;
import org.cartengine.engine.backend.UnaryOp;
import org.cartengine.engine.backend.parity.Parity.Twin;

/** Parity of the elementwise methods: unary, binary with broadcasting, where, the sigmoid gate, dropout, Adam. */
final class ElementwiseChecks {
  private ElementwiseChecks() {}

  private static double param(UnaryOp op) {
    return op == UnaryOp.POW ? 1.7 : op == UnaryOp.ELU ? 0.8 : 0;
  }

  private static boolean positive(UnaryOp op) {
    return op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.POW;
  }

  static void unary(Parity p) {
    int n = 777;
    for (UnaryOp op : UnaryOp.values()) {
      double prm = param(op);
      Twin x = positive(op) ? p.rand(n, 0.1, 3) : p.rand(n, -3, 3), y = p.zeros(n), dy = p.random(n), dx = p.zeros(n);
      p.both((be, s) -> be.unary(op, prm, s.b(x), s.b(y), n));
      p.close("unary " + op, y, 1);
      Twin ys = p.refResult(y);
      p.both((be, s) -> be.unaryBackward(op, prm, s.b(x), s.b(ys), s.b(dy), s.b(dx), n));
      p.close("unaryBackward " + op, dx, 1);
    }
  }

  static void unaryRagged(Parity p) {
    for (UnaryOp op : UnaryOp.values()) {
      for (int n : LENGTHS) {
        double prm = param(op);
        // inputs in the op's domain and away from its kinks (relu, abs and elu at 0)
        Twin x = p.floats(positive(op) ? p.uniform(n, 0.1, 3) : p.signed(n, 0.05, 3)), y = p.zeros(n);
        p.both((be, s) -> be.unary(op, prm, s.b(x), s.b(y), n));
        p.close("unary " + op + " n=" + n, y, 1);
        Twin ys = p.refResult(y), dy = p.random(n), dx = p.zeros(n);
        p.both((be, s) -> be.unaryBackward(op, prm, s.b(x), s.b(ys), s.b(dy), s.b(dx), n));
        p.close("unaryBackward " + op + " n=" + n, dx, 1);
      }
    }
  }

  static void binary(Parity p) {
    Backend dev = p.dut, ref = p.ref;
    // out [3, 4, 5]: a full, b broadcast over axis 1 ([3, 1, 5]) and a scalar-like [1, 1, 5]
    int[] shape = {3, 4, 5};
    int[][] aStrides = {{20, 5, 1}, {5, 0, 1}, {20, 5, 1}};
    int[][] bStrides = {{5, 0, 1}, {20, 5, 1}, {0, 0, 1}};
    int[] aLen = {60, 15, 60}, bLen = {15, 60, 5};
    for (BinaryOp op : BinaryOp.values()) {
      for (int v = 0; v < aStrides.length; v++) {
        Twin a = p.rand(aLen[v], 0.5, 2), b = p.rand(bLen[v], 0.5, 2), out = p.zeros(60), dout = p.random(60), g = p.zeros(60);
        if (op == BinaryOp.MAX || op == BinaryOp.MIN) {
          // exact ties go to a: make some
          int[] tie = {Math.min(3, Math.min(aLen[v], bLen[v]))};
          dev.copyStrided(a.dut, 0, new int[] {1}, b.dut, 0, new int[] {1}, tie, false);
          ref.copyStrided(a.ref, 0, new int[] {1}, b.ref, 0, new int[] {1}, tie, false);
        }
        int[] as = aStrides[v], bs = bStrides[v];
        p.both((be, s) -> be.binary(op, s.b(a), as, s.b(b), bs, s.b(out), shape));
        p.close("binary " + op + " layout " + v, out, 1);
        for (int which = 0; which < 2; which++) {
          int w = which;
          p.both((be, s) -> be.binaryBackward(op, w, s.b(a), as, s.b(b), bs, s.b(dout), s.b(g), shape));
          p.close("binaryBackward " + op + " which " + which + " layout " + v, g, 1);
        }
      }
    }
  }

  /** An operand of outShape broadcast on some axes (stride 0), stored row-major or, when transposed, column-major. */
  private record Operand(Twin data, int[] strides, String desc) {}

  private static Operand operand(Parity p, int[] outShape, boolean forceFull) {
    int rank = outShape.length;
    int[] shape = outShape.clone();
    if (!forceFull) for (int d = 0; d < rank; d++) if (p.rnd.nextInt(3) == 0) shape[d] = 1;
    boolean transposed = rank >= 2 && p.rnd.nextInt(3) == 0;
    int[] strides = new int[rank];
    int acc = 1;
    if (transposed) {
      for (int d = 0; d < rank; d++) {
        strides[d] = acc;
        acc *= shape[d];
      }
    } else {
      strides = Shape.contiguousStrides(shape);
    }
    for (int d = 0; d < rank; d++) if (shape[d] == 1) strides[d] = 0;
    Twin t = p.floats(p.signed(Shape.numel(shape), 0.5, 2));
    return new Operand(t, strides, Shape.str(shape) + (transposed ? " column-major" : ""));
  }

  static void binaryStrided(Parity p) {
    for (BinaryOp op : BinaryOp.values()) {
      for (int trial = 0; trial < 7; trial++) {
        int[] outShape;
        if (trial == 0) outShape = new int[] {300, 257};
        else if (trial == 1) outShape = new int[] {70001};
        else {
          outShape = new int[1 + p.rnd.nextInt(3)];
          for (int d = 0; d < outShape.length; d++) outShape[d] = p.size(outShape.length == 1 ? 130 : 33);
        }
        int numel = Shape.numel(outShape);
        Operand a = operand(p, outShape, trial <= 1);
        Operand b = trial == 0 ? new Operand(p.floats(p.signed(257, 0.5, 2)), new int[] {0, 1}, "[1, 257] bias") : operand(p, outShape, false);
        Twin out = p.zeros(numel);
        String what = op + " out " + Shape.str(outShape) + " a " + a.desc() + " b " + b.desc();
        int[] os = outShape;
        p.both((be, s) -> be.binary(op, s.b(a.data()), a.strides(), s.b(b.data()), b.strides(), s.b(out), os));
        p.close("binary " + what, out, 1);
        Twin dout = p.random(numel);
        for (int which = 0; which < 2; which++) {
          Twin g = p.zeros(numel);
          int w = which;
          p.both((be, s) -> be.binaryBackward(op, w, s.b(a.data()), a.strides(), s.b(b.data()), b.strides(), s.b(dout), s.b(g), os));
          p.close("binaryBackward which=" + which + " " + what, g, 1);
        }
      }
    }
  }

  private static Twin mask(Parity p, int n) {
    double[] m = new double[n];
    for (int i = 0; i < n; i++) m[i] = p.rnd.nextBoolean() ? 1 : 0;
    return p.values(m);
  }

  static void whereGate(Parity p) {
    int n = 513;
    Twin cond = mask(p, n), a = p.rand(n, -6, 6), b = p.random(n), out = p.zeros(n), dout = p.random(n), da = p.zeros(n), db = p.zeros(n);
    p.both((be, s) -> be.where(s.b(cond), s.b(a), s.b(b), s.b(out), n));
    p.exact("where", out);
    p.both((be, s) -> be.sigmoidGate(s.b(a), s.b(b), s.b(out), n));
    p.close("sigmoidGate", out, 1);
    p.both((be, s) -> be.sigmoidGateBackward(s.b(a), s.b(b), s.b(dout), s.b(da), s.b(db), n));
    p.close("sigmoidGateBackward da", da, 1);
    p.close("sigmoidGateBackward db", db, 1);
    p.both((be, s) -> be.fill(s.b(da), 0, n, 0));
    p.both((be, s) -> be.sigmoidGateBackward(s.b(a), s.b(b), s.b(dout), null, s.b(db), n));
    p.close("sigmoidGateBackward (da null)", db, 1);
  }

  static void whereRagged(Parity p) {
    for (int n : LENGTHS) {
      Twin cond = mask(p, n), a = p.random(n), b = p.random(n), out = p.zeros(n);
      p.both((be, s) -> be.where(s.b(cond), s.b(a), s.b(b), s.b(out), n));
      p.exact("where n=" + n, out);
    }
  }

  static void sigmoidGateRagged(Parity p) {
    for (int n : LENGTHS) {
      Twin a = p.floats(p.uniform(n, -6, 6)), b = p.random(n), out = p.zeros(n);
      p.both((be, s) -> be.sigmoidGate(s.b(a), s.b(b), s.b(out), n));
      p.close("sigmoidGate n=" + n, out, 1);
      Twin dout = p.random(n), da = p.zeros(n), db = p.zeros(n);
      p.both((be, s) -> be.sigmoidGateBackward(s.b(a), s.b(b), s.b(dout), s.b(da), s.b(db), n));
      p.close("sigmoidGateBackward da n=" + n, da, 1);
      p.close("sigmoidGateBackward db n=" + n, db, 1);
      Twin da2 = p.zeros(n), db2 = p.zeros(n);
      p.both((be, s) -> be.sigmoidGateBackward(s.b(a), s.b(b), s.b(dout), null, s.b(db2), n));
      p.close("sigmoidGateBackward (da null) db n=" + n, db2, 1);
      p.both((be, s) -> be.sigmoidGateBackward(s.b(a), s.b(b), s.b(dout), s.b(da2), null, n));
      p.close("sigmoidGateBackward (db null) da n=" + n, da2, 1);
    }
  }

  /** The same elements are dropped on both sides (bit-identical masks), and the kept ones are scaled alike. */
  private static void dropoutOnce(Parity p, int n, double prob, long seed, Twin x) {
    Twin y = p.zeros(n);
    p.both((be, s) -> be.dropout(s.b(x), s.b(y), n, prob, seed));
    double[] r = p.readRef(y), d = p.readDut(y);
    for (int i = 0; i < n; i++) {
      int at = i;
      p.check((r[i] == 0) == (d[i] == 0), () -> "dropout p=" + prob + " seed=" + seed + ": element " + at + " of " + n + " kept differently");
    }
    if (prob < 1) p.close("dropout p=" + prob + " n=" + n, y, 1);
  }

  static void dropout(Parity p) {
    int n = 4099;
    for (double prob : new double[] {0.1, 0.5, 0.0, 1.0}) dropoutOnce(p, n, prob, p.rnd.nextLong(), p.rand(n, 0.5, 1.5));
  }

  static void dropoutRagged(Parity p) {
    for (int n : LENGTHS) {
      for (double prob : new double[] {0, 0.1, 0.5, 0.9}) {
        long seed = p.rnd.nextLong();
        dropoutOnce(p, n, prob, seed, p.floats(p.signed(n, 0.5, 1.5)));
      }
    }
  }

  static void adam(Parity p) {
    int n = 2345;
    Twin prm = p.random(n), g = p.random(n), m = p.rand(n, -0.1, 0.1), v = p.rand(n, 0, 0.01);
    for (int step = 1; step <= 3; step++) {
      int st = step;
      p.both((be, s) -> be.adamStep(s.b(prm), s.b(g), s.b(m), s.b(v), n, 1e-3, 0.9, 0.999, 1e-8, st == 2 ? 0.01 : 0, st, st == 3 ? 0.5 : 1));
    }
    // three steps, each of about four roundings
    p.close("adam param", prm, 12);
    p.close("adam m", m, 12);
    p.close("adam v", v, 12);
  }

  static void adamRagged(Parity p) {
    for (int n : LENGTHS) {
      for (int trial = 0; trial < 2; trial++) {
        int step = trial == 0 ? 1 : 7;
        double wd = trial == 0 ? 0 : 0.01, gradScale = trial == 0 ? 1 : 0.5;
        Twin param = p.random(n), grad = p.random(n), m = p.floats(p.uniform(n, -0.1, 0.1)), v = p.floats(p.uniform(n, 1e-4, 1e-2));
        p.both((be, s) -> be.adamStep(s.b(param), s.b(grad), s.b(m), s.b(v), n, 1e-3, 0.9, 0.999, 1e-8, wd, step, gradScale));
        String what = "adamStep n=" + n + " step=" + step + " wd=" + wd + " gradScale=" + gradScale;
        p.close(what + " param", param, 4);
        p.close(what + " m", m, 4);
        p.close(what + " v", v, 4);
      }
    }
  }
}
