package org.cartengine.engine.ops;

import static org.cartengine.engine.autograd.Autograd.accumulate;
import static org.cartengine.engine.autograd.Autograd.record;

import java.util.Arrays;
import org.cartengine.engine.DType;
import org.cartengine.engine.Shape;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.autograd.Autograd;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.BinaryOp;
import org.cartengine.engine.backend.UnaryOp;

/** Elementwise ops: unary functions, broadcasting binary arithmetic, where, the sigmoid gate, dropout. */
public final class Elementwise {
  private Elementwise() {}

  static void sameBackend(String op, Tensor a, Tensor b) {
    if (a.backend() != b.backend()) throw new IllegalArgumentException(op + ": tensors on different backends (" + a.backend().name() + ", " + b.backend().name() + ")");
    if (a.dtype() != b.dtype()) throw new IllegalArgumentException(op + ": dtype mismatch " + a.dtype() + " " + Shape.str(a.shape()) + " vs " + b.dtype() + " " + Shape.str(b.shape()));
  }

  static void floating(String op, Tensor a) {
    if (!a.dtype().isFloating()) throw new IllegalArgumentException(op + ": needs a float tensor, got " + a.dtype() + " " + Shape.str(a.shape()));
  }

  // ---------------------------------------------------------------- unary

  public static Tensor unary(UnaryOp op, double param, Tensor x) {
    floating(op.name().toLowerCase(), x);
    Tensor xc = Views.contiguous(x);
    Backend be = x.backend();
    Tensor y = Tensor.zeros(be, x.dtype(), x.shape());
    be.unary(op, param, xc.buffer(), y.buffer(), y.numel());
    return record(y, op.name().toLowerCase(), g -> {
      Tensor dx = Tensor.zeros(be, x.dtype(), x.shape());
      Tensor gc = Views.contiguous(g);
      be.unaryBackward(op, param, xc.buffer(), y.buffer(), gc.buffer(), dx.buffer(), dx.numel());
      accumulate(x, dx);
    }, x);
  }

  public static Tensor neg(Tensor x) {
    return unary(UnaryOp.NEG, 0, x);
  }

  public static Tensor exp(Tensor x) {
    return unary(UnaryOp.EXP, 0, x);
  }

  public static Tensor log(Tensor x) {
    return unary(UnaryOp.LOG, 0, x);
  }

  public static Tensor sqrt(Tensor x) {
    return unary(UnaryOp.SQRT, 0, x);
  }

  public static Tensor pow(Tensor x, double p) {
    return unary(UnaryOp.POW, p, x);
  }

  public static Tensor relu(Tensor x) {
    return unary(UnaryOp.RELU, 0, x);
  }

  public static Tensor gelu(Tensor x) {
    return unary(UnaryOp.GELU, 0, x);
  }

  /** The exact GELU, x Phi(x), of pretrained BERT models ({@link #gelu} is the tanh approximation). */
  public static Tensor geluErf(Tensor x) {
    return unary(UnaryOp.GELU_ERF, 0, x);
  }

  public static Tensor elu(Tensor x, double alpha) {
    return unary(UnaryOp.ELU, alpha, x);
  }

  public static Tensor tanh(Tensor x) {
    return unary(UnaryOp.TANH, 0, x);
  }

  public static Tensor sigmoid(Tensor x) {
    return unary(UnaryOp.SIGMOID, 0, x);
  }

  public static Tensor square(Tensor x) {
    return unary(UnaryOp.SQUARE, 0, x);
  }

  // ---------------------------------------------------------------- binary with broadcasting

  public static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
    String name = op.name().toLowerCase();
    sameBackend(name, a, b);
    floating(name, a);
    int[] out = Shape.broadcast(name, a.shape(), b.shape());
    int[] as = Shape.broadcastStrides(a.shape(), a.strides(), out);
    int[] bs = Shape.broadcastStrides(b.shape(), b.strides(), out);
    Backend be = a.backend();
    Tensor y = Tensor.zeros(be, a.dtype(), out);
    // Views are read in place through their strides; only the offset must be folded in.
    Tensor ac = a.offset() == 0 ? a : Views.contiguous(a);
    Tensor bc = b.offset() == 0 ? b : Views.contiguous(b);
    int[] as2 = ac == a ? as : Shape.broadcastStrides(ac.shape(), ac.strides(), out);
    int[] bs2 = bc == b ? bs : Shape.broadcastStrides(bc.shape(), bc.strides(), out);
    be.binary(op, ac.buffer(), as2, bc.buffer(), bs2, y.buffer(), out);
    return record(y, name, g -> {
      Tensor gc = Views.contiguous(g);
      for (int which = 0; which < 2; which++) {
        Tensor in = which == 0 ? a : b;
        if (!in.requiresGrad()) continue;
        boolean same = Arrays.equals(in.shape(), out);
        if (op == BinaryOp.ADD || (op == BinaryOp.SUB && which == 0)) {
          // d(a+b) = dout: no kernel, just the (reduced) upstream gradient.
          if (same) Autograd.accumulateShared(in, gc);
          else accumulate(in, Reductions.sumTo(gc, in.shape()));
          continue;
        }
        Tensor full = Tensor.zeros(be, a.dtype(), out);
        be.binaryBackward(op, which, ac.buffer(), as2, bc.buffer(), bs2, gc.buffer(), full.buffer(), out);
        accumulate(in, Arrays.equals(in.shape(), out) ? full : Reductions.sumTo(full, in.shape()));
      }
    }, a, b);
  }

  public static Tensor add(Tensor a, Tensor b) {
    return binary(BinaryOp.ADD, a, b);
  }

  public static Tensor sub(Tensor a, Tensor b) {
    return binary(BinaryOp.SUB, a, b);
  }

  public static Tensor mul(Tensor a, Tensor b) {
    return binary(BinaryOp.MUL, a, b);
  }

  public static Tensor div(Tensor a, Tensor b) {
    return binary(BinaryOp.DIV, a, b);
  }

  public static Tensor maximum(Tensor a, Tensor b) {
    return binary(BinaryOp.MAX, a, b);
  }

  public static Tensor addScalar(Tensor a, double c) {
    return binary(BinaryOp.ADD, a, Tensor.scalar(a.backend(), a.dtype(), c));
  }

  public static Tensor mulScalar(Tensor a, double c) {
    return binary(BinaryOp.MUL, a, Tensor.scalar(a.backend(), a.dtype(), c));
  }

  // ---------------------------------------------------------------- other elementwise

  /** Converts dtype (no gradient through integer casts). */
  public static Tensor cast(Tensor x, DType dt) {
    if (x.dtype() == dt) return x;
    Tensor xc = Views.contiguous(x);
    Tensor y = Tensor.zeros(x.backend(), dt, x.shape());
    x.backend().cast(xc.buffer(), y.buffer(), y.numel());
    if (!dt.isFloating() || !x.dtype().isFloating()) return y;
    return record(y, "cast", g -> accumulate(x, cast(Views.contiguousCopy(g), x.dtype())), x);
  }

  /** out = cond ? a : b with cond a float 0/1 mask; all three broadcast to a common shape. */
  public static Tensor where(Tensor cond, Tensor a, Tensor b) {
    sameBackend("where", a, b);
    int[] shape = Shape.broadcast("where", Shape.broadcast("where", cond.shape(), a.shape()), b.shape());
    Tensor c = Views.contiguous(expandTo(cond, shape));
    Tensor ae = Views.contiguous(expandTo(a, shape)), bE = Views.contiguous(expandTo(b, shape));
    Backend be = a.backend();
    Tensor y = Tensor.zeros(be, a.dtype(), shape);
    be.where(c.buffer(), ae.buffer(), bE.buffer(), y.buffer(), y.numel());
    return record(y, "where", g -> {
      Tensor gc = Views.contiguous(g);
      Tensor zero = Tensor.zeros(be, a.dtype(), shape);
      if (ae.requiresGrad()) {
        Tensor da = Tensor.zeros(be, a.dtype(), shape);
        be.where(c.buffer(), gc.buffer(), zero.buffer(), da.buffer(), da.numel());
        accumulate(ae, da);
      }
      if (bE.requiresGrad()) {
        Tensor db = Tensor.zeros(be, a.dtype(), shape);
        be.where(c.buffer(), zero.buffer(), gc.buffer(), db.buffer(), db.numel());
        accumulate(bE, db);
      }
    }, ae, bE);
  }

  /** x with positions where mask != 0 replaced by value (mask broadcasts to x). */
  public static Tensor maskedFill(Tensor x, Tensor mask, double value) {
    return where(mask, Tensor.scalar(x.backend(), x.dtype(), value), x);
  }

  private static Tensor expandTo(Tensor t, int[] shape) {
    return Arrays.equals(t.shape(), shape) ? t : Views.expand(t, shape);
  }

  /** sigmoid(a) * b, one fused kernel: CART's fine-fusion gate (paper eqs. 4-5). Shapes must match. */
  public static Tensor sigmoidGate(Tensor a, Tensor b) {
    sameBackend("sigmoidGate", a, b);
    if (!Arrays.equals(a.shape(), b.shape()))
      throw new IllegalArgumentException("sigmoidGate: shapes " + Shape.str(a.shape()) + " and " + Shape.str(b.shape()) + " differ (expand the gate first)");
    Tensor ac = Views.contiguous(a), bc = Views.contiguous(b);
    Backend be = a.backend();
    Tensor y = Tensor.zeros(be, a.dtype(), a.shape());
    be.sigmoidGate(ac.buffer(), bc.buffer(), y.buffer(), y.numel());
    return record(y, "sigmoidGate", g -> {
      Tensor gc = Views.contiguous(g);
      Tensor da = a.requiresGrad() ? Tensor.zeros(be, a.dtype(), a.shape()) : null;
      Tensor db = b.requiresGrad() ? Tensor.zeros(be, a.dtype(), a.shape()) : null;
      be.sigmoidGateBackward(ac.buffer(), bc.buffer(), gc.buffer(), da == null ? null : da.buffer(), db == null ? null : db.buffer(), y.numel());
      if (da != null) accumulate(a, da);
      if (db != null) accumulate(b, db);
    }, a, b);
  }

  /** Inverted dropout with a seeded counter-based mask (identical on every backend); identity when p = 0. */
  public static Tensor dropout(Tensor x, double p, long seed) {
    if (p < 0 || p >= 1) throw new IllegalArgumentException("dropout: p = " + p + " outside [0, 1)");
    if (p == 0) return x;
    Tensor xc = Views.contiguous(x);
    Backend be = x.backend();
    Tensor y = Tensor.zeros(be, x.dtype(), x.shape());
    be.dropout(xc.buffer(), y.buffer(), y.numel(), p, seed);
    return record(y, "dropout", g -> {
      Tensor gc = Views.contiguous(g);
      Tensor dx = Tensor.zeros(be, x.dtype(), x.shape());
      be.dropout(gc.buffer(), dx.buffer(), dx.numel(), p, seed);
      accumulate(x, dx);
    }, x);
  }
}
