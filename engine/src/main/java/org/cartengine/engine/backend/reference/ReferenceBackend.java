package org.cartengine.engine.backend.reference;

import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.BinaryOp;
import org.cartengine.engine.backend.Buffer;
import org.cartengine.engine.backend.Dropout;
import org.cartengine.engine.backend.ReduceOp;
import org.cartengine.engine.backend.UnaryOp;

/**
 * The oracle: every kernel as a plain loop, computing in double whatever the storage dtype. It is
 * written to be obviously right, not fast; every other backend is tested against it.
 */
public class ReferenceBackend implements Backend {

  @Override
  public String name() {
    return "reference";
  }

  @Override
  public String device() {
    return "CPU (plain Java, " + Runtime.getRuntime().availableProcessors() + " cores available, 1 used)";
  }

  @Override
  public boolean supports(DType dtype) {
    return true;
  }

  protected static RefBuffer r(Buffer b) {
    if (b == null) return null;
    if (!(b instanceof RefBuffer rb)) throw new IllegalArgumentException("buffer from backend " + b.backend().name() + " passed to a CPU backend");
    b.checkOpen("cpu kernel");
    return rb;
  }

  @Override
  public Buffer allocate(DType dtype, int n) {
    if (n < 0) throw new IllegalArgumentException("allocate: negative size " + n);
    return new RefBuffer(this, dtype, n, true);
  }

  @Override
  public Buffer allocateUninitialized(DType dtype, int n) {
    if (n < 0) throw new IllegalArgumentException("allocate: negative size " + n);
    return new RefBuffer(this, dtype, n, false);
  }

  @Override
  public void write(Buffer dst, int dstOff, float[] src, int srcOff, int n) {
    RefBuffer b = r(dst);
    for (int k = 0; k < n; k++) b.set(dstOff + k, src[srcOff + k]);
  }

  @Override
  public void write(Buffer dst, int dstOff, double[] src, int srcOff, int n) {
    RefBuffer b = r(dst);
    for (int k = 0; k < n; k++) b.set(dstOff + k, src[srcOff + k]);
  }

  @Override
  public void write(Buffer dst, int dstOff, int[] src, int srcOff, int n) {
    RefBuffer b = r(dst);
    for (int k = 0; k < n; k++) b.set(dstOff + k, src[srcOff + k]);
  }

  @Override
  public void read(Buffer src, int srcOff, float[] dst, int dstOff, int n) {
    RefBuffer b = r(src);
    for (int k = 0; k < n; k++) dst[dstOff + k] = (float) b.get(srcOff + k);
  }

  @Override
  public void read(Buffer src, int srcOff, double[] dst, int dstOff, int n) {
    RefBuffer b = r(src);
    for (int k = 0; k < n; k++) dst[dstOff + k] = b.get(srcOff + k);
  }

  @Override
  public void read(Buffer src, int srcOff, int[] dst, int dstOff, int n) {
    RefBuffer b = r(src);
    for (int k = 0; k < n; k++) dst[dstOff + k] = (int) b.get(srcOff + k);
  }

  @Override
  public void fill(Buffer dst, int off, int n, double value) {
    RefBuffer b = r(dst);
    for (int k = 0; k < n; k++) b.set(off + k, value);
  }

  @Override
  public void cast(Buffer src, Buffer dst, int n) {
    RefBuffer s = r(src), t = r(dst);
    for (int k = 0; k < n; k++) t.set(k, s.get(k));
  }

  @Override
  public void copyStrided(Buffer src, int srcOff, int[] srcStrides, Buffer dst, int dstOff, int[] dstStrides, int[] shape, boolean accumulate) {
    RefBuffer s = r(src), t = r(dst);
    int rank = shape.length;
    long total = 1;
    for (int x : shape) total *= x;
    int[] idx = new int[rank];
    for (long e = 0; e < total; e++) {
      int si = srcOff, di = dstOff;
      for (int a = 0; a < rank; a++) {
        si += idx[a] * srcStrides[a];
        di += idx[a] * dstStrides[a];
      }
      double v = s.get(si);
      if (accumulate) t.add(di, v);
      else t.set(di, v);
      for (int a = rank - 1; a >= 0; a--) {
        if (++idx[a] < shape[a]) break;
        idx[a] = 0;
      }
    }
  }

  @Override
  public void axpy(double alpha, Buffer x, Buffer y, int n) {
    RefBuffer bx = r(x), by = r(y);
    for (int k = 0; k < n; k++) by.add(k, alpha * bx.get(k));
  }

  @Override
  public double sumSquares(Buffer x, int n) {
    RefBuffer b = r(x);
    double s = 0;
    for (int k = 0; k < n; k++) s += b.get(k) * b.get(k);
    return s;
  }

  @Override
  public void gemm(boolean transA, boolean transB, int batch, int m, int n, int k, double alpha,
      Buffer a, int aOff, int strideA, int lda, Buffer b, int bOff, int strideB, int ldb,
      double beta, Buffer c, int cOff, int strideC, int ldc) {
    RefBuffer ba = r(a), bb = r(b), bc = r(c);
    for (int p = 0; p < batch; p++) {
      int ao = aOff + p * strideA, bo = bOff + p * strideB, co = cOff + p * strideC;
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double s = 0;
          for (int q = 0; q < k; q++) {
            double av = ba.get(ao + (transA ? q * lda + i : i * lda + q));
            double bv = bb.get(bo + (transB ? j * ldb + q : q * ldb + j));
            s += av * bv;
          }
          int ci = co + i * ldc + j;
          double old = beta == 0 ? 0 : beta * bc.get(ci);
          bc.set(ci, alpha * s + old);
        }
      }
    }
  }

  /** The scalar definition of every unary op; SIMD and GPU backends must agree with it. */
  public static double unaryForward(UnaryOp op, double param, double x) {
    switch (op) {
      case NEG: return -x;
      case EXP: return Math.exp(x);
      case LOG: return Math.log(x);
      case SQRT: return Math.sqrt(x);
      case RELU: return x > 0 ? x : 0;
      case GELU: return 0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x)));
      case ELU: return x > 0 ? x : param * (Math.exp(x) - 1);
      case TANH: return Math.tanh(x);
      case SIGMOID: return sigmoid(x);
      case POW: return Math.pow(x, param);
      case ABS: return Math.abs(x);
      case SQUARE: return x * x;
      case GELU_ERF: return x * Erf.phi(x);
      default: throw new IllegalArgumentException(op.toString());
    }
  }

  /** d f(x) / dx given x and y = f(x). */
  public static double unaryDerivative(UnaryOp op, double param, double x, double y) {
    switch (op) {
      case NEG: return -1;
      case EXP: return y;
      case LOG: return 1 / x;
      case SQRT: return 0.5 / y;
      case RELU: return x > 0 ? 1 : 0;
      case GELU: {
        double u = GELU_C * (x + 0.044715 * x * x * x);
        double t = Math.tanh(u);
        double du = GELU_C * (1 + 3 * 0.044715 * x * x);
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du;
      }
      case ELU: return x > 0 ? 1 : y + param;
      case TANH: return 1 - y * y;
      case SIGMOID: return y * (1 - y);
      case POW: return param * Math.pow(x, param - 1);
      case ABS: return x > 0 ? 1 : (x < 0 ? -1 : 0);
      case SQUARE: return 2 * x;
      case GELU_ERF: return Erf.phi(x) + x * Erf.density(x);
      default: throw new IllegalArgumentException(op.toString());
    }
  }

  /** sqrt(2/pi): GELU uses the tanh approximation (as GPT-2 and BERT implementations do). */
  public static final double GELU_C = Math.sqrt(2 / Math.PI);

  public static double sigmoid(double x) {
    return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
  }

  @Override
  public void unary(UnaryOp op, double param, Buffer x, Buffer y, int n) {
    RefBuffer bx = r(x), by = r(y);
    for (int k = 0; k < n; k++) by.set(k, unaryForward(op, param, bx.get(k)));
  }

  @Override
  public void unaryBackward(UnaryOp op, double param, Buffer x, Buffer y, Buffer dy, Buffer dx, int n) {
    RefBuffer bx = r(x), by = r(y), bdy = r(dy), bdx = r(dx);
    for (int k = 0; k < n; k++) bdx.set(k, bdy.get(k) * unaryDerivative(op, param, bx.get(k), by.get(k)));
  }

  public static double binaryForward(BinaryOp op, double a, double b) {
    switch (op) {
      case ADD: return a + b;
      case SUB: return a - b;
      case MUL: return a * b;
      case DIV: return a / b;
      case MAX: return Math.max(a, b);
      case MIN: return Math.min(a, b);
      default: throw new IllegalArgumentException(op.toString());
    }
  }

  /** d(a op b)/da (which = 0) or /db (which = 1). MAX/MIN send the gradient to a on ties. */
  public static double binaryDerivative(BinaryOp op, int which, double a, double b) {
    switch (op) {
      case ADD: return 1;
      case SUB: return which == 0 ? 1 : -1;
      case MUL: return which == 0 ? b : a;
      case DIV: return which == 0 ? 1 / b : -a / (b * b);
      case MAX: return (a >= b) == (which == 0) ? 1 : 0;
      case MIN: return (a <= b) == (which == 0) ? 1 : 0;
      default: throw new IllegalArgumentException(op.toString());
    }
  }

  private interface IndexVisitor {
    void visit(int out, int ia, int ib);
  }

  private static void forEachIndex(int[] shape, int[] as, int[] bs, IndexVisitor v) {
    int rank = shape.length;
    long total = 1;
    for (int x : shape) total *= x;
    int[] idx = new int[rank];
    for (int e = 0; e < total; e++) {
      int ia = 0, ib = 0;
      for (int a = 0; a < rank; a++) {
        ia += idx[a] * as[a];
        ib += idx[a] * bs[a];
      }
      v.visit(e, ia, ib);
      for (int a = rank - 1; a >= 0; a--) {
        if (++idx[a] < shape[a]) break;
        idx[a] = 0;
      }
    }
  }

  @Override
  public void binary(BinaryOp op, Buffer a, int[] aStrides, Buffer b, int[] bStrides, Buffer out, int[] outShape) {
    RefBuffer ba = r(a), bb = r(b), bo = r(out);
    forEachIndex(outShape, aStrides, bStrides, (e, ia, ib) -> bo.set(e, binaryForward(op, ba.get(ia), bb.get(ib))));
  }

  @Override
  public void binaryBackward(BinaryOp op, int which, Buffer a, int[] aStrides, Buffer b, int[] bStrides, Buffer dout, Buffer g, int[] outShape) {
    RefBuffer ba = r(a), bb = r(b), bd = r(dout), bg = r(g);
    forEachIndex(outShape, aStrides, bStrides,
        (e, ia, ib) -> bg.set(e, bd.get(e) * binaryDerivative(op, which, ba.get(ia), bb.get(ib))));
  }

  @Override
  public void where(Buffer cond, Buffer a, Buffer b, Buffer out, int n) {
    RefBuffer bc = r(cond), ba = r(a), bb = r(b), bo = r(out);
    for (int k = 0; k < n; k++) bo.set(k, bc.get(k) != 0 ? ba.get(k) : bb.get(k));
  }

  @Override
  public void sigmoidGate(Buffer a, Buffer b, Buffer out, int n) {
    RefBuffer ba = r(a), bb = r(b), bo = r(out);
    for (int k = 0; k < n; k++) bo.set(k, sigmoid(ba.get(k)) * bb.get(k));
  }

  @Override
  public void sigmoidGateBackward(Buffer a, Buffer b, Buffer dout, Buffer da, Buffer db, int n) {
    RefBuffer ba = r(a), bb = r(b), bd = r(dout), bda = r(da), bdb = r(db);
    for (int k = 0; k < n; k++) {
      double s = sigmoid(ba.get(k));
      if (bda != null) bda.set(k, bd.get(k) * bb.get(k) * s * (1 - s));
      if (bdb != null) bdb.set(k, bd.get(k) * s);
    }
  }

  @Override
  public void dropout(Buffer x, Buffer y, int n, double p, long seed) {
    RefBuffer bx = r(x), by = r(y);
    double scale = 1 / (1 - p);
    for (int k = 0; k < n; k++) by.set(k, Dropout.keep(seed, k, p) ? bx.get(k) * scale : 0);
  }

  @Override
  public void reduce(ReduceOp op, Buffer x, Buffer out, Buffer argmax, int outer, int len, int inner) {
    RefBuffer bx = r(x), bo = r(out), am = r(argmax);
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) {
        double acc = op == ReduceOp.SUM ? 0 : Double.NEGATIVE_INFINITY;
        int best = 0;
        for (int l = 0; l < len; l++) {
          double v = bx.get((o * len + l) * inner + i);
          if (op == ReduceOp.SUM) acc += v;
          else if (l == 0 || v > acc) {
            acc = v;
            best = l;
          }
        }
        bo.set(o * inner + i, acc);
        if (am != null) am.set(o * inner + i, best);
      }
    }
  }

  @Override
  public void maxBackward(Buffer dout, Buffer argmax, Buffer dx, int outer, int len, int inner) {
    RefBuffer bd = r(dout), am = r(argmax), bx = r(dx);
    for (int k = 0; k < outer * len * inner; k++) bx.set(k, 0);
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) {
        int l = (int) am.get(o * inner + i);
        bx.set((o * len + l) * inner + i, bd.get(o * inner + i));
      }
    }
  }

  @Override
  public void softmax(Buffer x, Buffer y, int rows, int cols, boolean log) {
    RefBuffer bx = r(x), by = r(y);
    for (int row = 0; row < rows; row++) {
      int o = row * cols;
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < cols; j++) max = Math.max(max, bx.get(o + j));
      double sum = 0;
      for (int j = 0; j < cols; j++) sum += Math.exp(bx.get(o + j) - max);
      double logSum = Math.log(sum);
      for (int j = 0; j < cols; j++) {
        double z = bx.get(o + j) - max;
        by.set(o + j, log ? z - logSum : Math.exp(z) / sum);
      }
    }
  }

  @Override
  public void softmaxBackward(Buffer y, Buffer dy, Buffer dx, int rows, int cols, boolean log) {
    RefBuffer by = r(y), bdy = r(dy), bdx = r(dx);
    for (int row = 0; row < rows; row++) {
      int o = row * cols;
      double s = 0;
      for (int j = 0; j < cols; j++) s += log ? bdy.get(o + j) : bdy.get(o + j) * by.get(o + j);
      for (int j = 0; j < cols; j++) {
        double v = log ? bdy.get(o + j) - Math.exp(by.get(o + j)) * s : by.get(o + j) * (bdy.get(o + j) - s);
        bdx.set(o + j, v);
      }
    }
  }

  /** log-sum-exp of a row, stable. */
  private static double logSumExp(RefBuffer b, int o, int cols) {
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < cols; j++) max = Math.max(max, b.get(o + j));
    double s = 0;
    for (int j = 0; j < cols; j++) s += Math.exp(b.get(o + j) - max);
    return max + Math.log(s);
  }

  @Override
  public void crossEntropy(Buffer logits, Buffer targets, Buffer loss, int rows, int cols, int ignoreIndex, double smoothing) {
    RefBuffer bl = r(logits), bt = r(targets), bo = r(loss);
    for (int row = 0; row < rows; row++) {
      int t = (int) bt.get(row);
      if (t == ignoreIndex) {
        bo.set(row, 0);
        continue;
      }
      if (t < 0 || t >= cols) throw new IndexOutOfBoundsException("crossEntropy: target " + t + " of row " + row + " outside [0, " + cols + ")");
      int o = row * cols;
      double lse = logSumExp(bl, o, cols);
      double sumLogp = 0;
      for (int j = 0; j < cols; j++) sumLogp += bl.get(o + j) - lse;
      double l = -(1 - smoothing) * (bl.get(o + t) - lse) - smoothing / cols * sumLogp;
      bo.set(row, l);
    }
  }

  @Override
  public void crossEntropyBackward(Buffer logits, Buffer targets, Buffer dloss, Buffer dlogits, int rows, int cols, int ignoreIndex, double smoothing) {
    RefBuffer bl = r(logits), bt = r(targets), bd = r(dloss), bg = r(dlogits);
    for (int row = 0; row < rows; row++) {
      int t = (int) bt.get(row);
      int o = row * cols;
      if (t == ignoreIndex) {
        for (int j = 0; j < cols; j++) bg.set(o + j, 0);
        continue;
      }
      double lse = logSumExp(bl, o, cols);
      double g = bd.get(row);
      for (int j = 0; j < cols; j++) {
        double q = smoothing / cols + (j == t ? 1 - smoothing : 0);
        bg.set(o + j, g * (Math.exp(bl.get(o + j) - lse) - q));
      }
    }
  }

  @Override
  public void klDiv(Buffer logP, Buffer logQ, Buffer out, int rows, int cols) {
    RefBuffer bp = r(logP), bq = r(logQ), bo = r(out);
    for (int row = 0; row < rows; row++) {
      double s = 0;
      for (int j = 0; j < cols; j++) {
        int k = row * cols + j;
        double lp = bp.get(k);
        s += Math.exp(lp) * (lp - bq.get(k));
      }
      bo.set(row, s);
    }
  }

  @Override
  public void klDivBackward(Buffer logP, Buffer logQ, Buffer dout, Buffer dlogP, Buffer dlogQ, int rows, int cols) {
    RefBuffer bp = r(logP), bq = r(logQ), bd = r(dout), gp = r(dlogP), gq = r(dlogQ);
    for (int row = 0; row < rows; row++) {
      double g = bd.get(row);
      for (int j = 0; j < cols; j++) {
        int k = row * cols + j;
        double lp = bp.get(k), p = Math.exp(lp);
        if (gp != null) gp.set(k, g * p * (lp - bq.get(k) + 1));
        if (gq != null) gq.set(k, -g * p);
      }
    }
  }

  @Override
  public void layerNorm(Buffer x, Buffer gamma, Buffer beta, Buffer y, Buffer mean, Buffer rstd, int rows, int cols, double eps) {
    RefBuffer bx = r(x), bg = r(gamma), bb = r(beta), by = r(y), bm = r(mean), bs = r(rstd);
    for (int row = 0; row < rows; row++) {
      int o = row * cols;
      double mu = 0;
      for (int j = 0; j < cols; j++) mu += bx.get(o + j);
      mu /= cols;
      double var = 0;
      for (int j = 0; j < cols; j++) {
        double dlt = bx.get(o + j) - mu;
        var += dlt * dlt;
      }
      var /= cols;
      double rs = 1 / Math.sqrt(var + eps);
      for (int j = 0; j < cols; j++) by.set(o + j, (bx.get(o + j) - mu) * rs * bg.get(j) + bb.get(j));
      bm.set(row, mu);
      bs.set(row, rs);
    }
  }

  @Override
  public void layerNormBackward(Buffer x, Buffer gamma, Buffer mean, Buffer rstd, Buffer dy, Buffer dx, Buffer dgamma, Buffer dbeta, int rows, int cols) {
    RefBuffer bx = r(x), bg = r(gamma), bm = r(mean), bs = r(rstd), bdy = r(dy), bdx = r(dx), bdg = r(dgamma), bdb = r(dbeta);
    for (int j = 0; j < cols; j++) {
      bdg.set(j, 0);
      bdb.set(j, 0);
    }
    for (int row = 0; row < rows; row++) {
      int o = row * cols;
      double mu = bm.get(row), rs = bs.get(row);
      double sumG = 0, sumGX = 0;
      for (int j = 0; j < cols; j++) {
        double xhat = (bx.get(o + j) - mu) * rs;
        double g = bdy.get(o + j) * bg.get(j);
        sumG += g;
        sumGX += g * xhat;
        bdg.add(j, bdy.get(o + j) * xhat);
        bdb.add(j, bdy.get(o + j));
      }
      for (int j = 0; j < cols; j++) {
        double xhat = (bx.get(o + j) - mu) * rs;
        double g = bdy.get(o + j) * bg.get(j);
        bdx.set(o + j, rs * (g - sumG / cols - xhat * sumGX / cols));
      }
    }
  }

  @Override
  public void gather(Buffer table, Buffer idx, Buffer out, int n, int dim, int vocab) {
    RefBuffer bt = r(table), bi = r(idx), bo = r(out);
    for (int k = 0; k < n; k++) {
      int row = (int) bi.get(k);
      if (row < 0 || row >= vocab) throw new IndexOutOfBoundsException("gather: index " + row + " at position " + k + " outside [0, " + vocab + ")");
      for (int j = 0; j < dim; j++) bo.set(k * dim + j, bt.get(row * dim + j));
    }
  }

  @Override
  public void scatterAdd(Buffer dout, Buffer idx, Buffer dtable, int n, int dim, int vocab) {
    RefBuffer bd = r(dout), bi = r(idx), bt = r(dtable);
    for (int k = 0; k < n; k++) {
      int row = (int) bi.get(k);
      for (int j = 0; j < dim; j++) bt.add(row * dim + j, bd.get(k * dim + j));
    }
  }

  static boolean allowed(RefBuffer pad, int b, int tk, int i, int j, int tq, boolean causal) {
    if (pad != null && pad.get(b * tk + j) == 0) return false;
    return !causal || j <= i + tk - tq;
  }

  @Override
  public void attention(Buffer q, Buffer k, Buffer v, Buffer keyPadding, Buffer out, Buffer lse,
      int batch, int heads, int tq, int tk, int d, double scale, boolean causal) {
    RefBuffer bq = r(q), bk = r(k), bv = r(v), pad = r(keyPadding), bo = r(out), bl = r(lse);
    double[] s = new double[tk];
    for (int b = 0; b < batch; b++) {
      for (int h = 0; h < heads; h++) {
        int qo = (b * heads + h) * tq * d, ko = (b * heads + h) * tk * d;
        for (int i = 0; i < tq; i++) {
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j < tk; j++) {
            if (!allowed(pad, b, tk, i, j, tq, causal)) {
              s[j] = Double.NEGATIVE_INFINITY;
              continue;
            }
            double dot = 0;
            for (int c = 0; c < d; c++) dot += bq.get(qo + i * d + c) * bk.get(ko + j * d + c);
            s[j] = dot * scale;
            max = Math.max(max, s[j]);
          }
          int lo = (b * heads + h) * tq + i;
          if (max == Double.NEGATIVE_INFINITY) {
            for (int c = 0; c < d; c++) bo.set(qo + i * d + c, 0);
            bl.set(lo, Double.NEGATIVE_INFINITY);
            continue;
          }
          double sum = 0;
          for (int j = 0; j < tk; j++) sum += s[j] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(s[j] - max);
          double l = max + Math.log(sum);
          for (int c = 0; c < d; c++) {
            double acc = 0;
            for (int j = 0; j < tk; j++) if (s[j] != Double.NEGATIVE_INFINITY) acc += Math.exp(s[j] - l) * bv.get(ko + j * d + c);
            bo.set(qo + i * d + c, acc);
          }
          bl.set(lo, l);
        }
      }
    }
  }

  @Override
  public void decodeAttention(Buffer q, Buffer k, Buffer v, Buffer keyPadding, Buffer out, int[] groupStart, int heads, int tk, int d,
      double scale, boolean keysTransposed) {
    RefBuffer bq = r(q), bk = r(k), bv = r(v), pad = r(keyPadding), bo = r(out);
    double[] p = new double[tk];
    for (int g = 0; g + 1 < groupStart.length; g++) {
      for (int row = groupStart[g]; row < groupStart[g + 1]; row++) {
        for (int h = 0; h < heads; h++) {
          int qo = (row * heads + h) * d, ko = (g * heads + h) * tk * d;
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j < tk; j++) {
            if (pad != null && pad.get(g * tk + j) == 0) {
              p[j] = Double.NEGATIVE_INFINITY;
              continue;
            }
            double dot = 0;
            for (int c = 0; c < d; c++) dot += bq.get(qo + c) * bk.get(keysTransposed ? ko + c * tk + j : ko + j * d + c);
            p[j] = dot * scale;
            max = Math.max(max, p[j]);
          }
          double sum = 0;
          for (int j = 0; j < tk; j++) {
            p[j] = p[j] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(p[j] - max);
            sum += p[j];
          }
          for (int c = 0; c < d; c++) {
            double acc = 0;
            for (int j = 0; j < tk; j++) acc += p[j] * bv.get(ko + j * d + c);
            bo.set(qo + c, sum == 0 ? 0 : acc / sum);
          }
        }
      }
    }
  }

  @Override
  public void attentionBackward(Buffer q, Buffer k, Buffer v, Buffer keyPadding, Buffer out, Buffer lse, Buffer dout,
      Buffer dq, Buffer dk, Buffer dv, int batch, int heads, int tq, int tk, int d, double scale, boolean causal) {
    RefBuffer bq = r(q), bk = r(k), bv = r(v), pad = r(keyPadding), bo = r(out), bl = r(lse), bdo = r(dout);
    RefBuffer bdq = r(dq), bdk = r(dk), bdv = r(dv);
    for (int e = 0; e < batch * heads * tq * d; e++) bdq.set(e, 0);
    for (int e = 0; e < batch * heads * tk * d; e++) {
      bdk.set(e, 0);
      bdv.set(e, 0);
    }
    for (int b = 0; b < batch; b++) {
      for (int h = 0; h < heads; h++) {
        int qo = (b * heads + h) * tq * d, ko = (b * heads + h) * tk * d;
        for (int i = 0; i < tq; i++) {
          double l = bl.get((b * heads + h) * tq + i);
          if (l == Double.NEGATIVE_INFINITY) continue;
          // D_i = sum_c dout_ic * out_ic: the softmax backward's row term.
          double di = 0;
          for (int c = 0; c < d; c++) di += bdo.get(qo + i * d + c) * bo.get(qo + i * d + c);
          for (int j = 0; j < tk; j++) {
            if (!allowed(pad, b, tk, i, j, tq, causal)) continue;
            double dot = 0;
            for (int c = 0; c < d; c++) dot += bq.get(qo + i * d + c) * bk.get(ko + j * d + c);
            double p = Math.exp(dot * scale - l);
            double dp = 0;
            for (int c = 0; c < d; c++) dp += bdo.get(qo + i * d + c) * bv.get(ko + j * d + c);
            double ds = p * (dp - di) * scale;
            for (int c = 0; c < d; c++) {
              bdv.add(ko + j * d + c, p * bdo.get(qo + i * d + c));
              bdq.add(qo + i * d + c, ds * bk.get(ko + j * d + c));
              bdk.add(ko + j * d + c, ds * bq.get(qo + i * d + c));
            }
          }
        }
      }
    }
  }

  @Override
  public void vqNearest(Buffer x, Buffer codebook, Buffer idx, Buffer dist, int n, int k, int d) {
    RefBuffer bx = r(x), bc = r(codebook), bi = r(idx), bd = r(dist);
    for (int row = 0; row < n; row++) {
      double best = Double.POSITIVE_INFINITY;
      int arg = 0;
      for (int c = 0; c < k; c++) {
        double s = 0;
        for (int j = 0; j < d; j++) {
          double diff = bx.get(row * d + j) - bc.get(c * d + j);
          s += diff * diff;
        }
        if (s < best) {
          best = s;
          arg = c;
        }
      }
      bi.set(row, arg);
      if (bd != null) bd.set(row, best);
    }
  }

  @Override
  public void adamStep(Buffer param, Buffer grad, Buffer m, Buffer v, int n, double lr, double beta1, double beta2,
      double eps, double weightDecay, int step, double gradScale) {
    RefBuffer p = r(param), g = r(grad), bm = r(m), bv = r(v);
    double c1 = 1 - Math.pow(beta1, step), c2 = 1 - Math.pow(beta2, step);
    for (int e = 0; e < n; e++) {
      double gr = g.get(e) * gradScale;
      double mm = beta1 * bm.get(e) + (1 - beta1) * gr;
      double vv = beta2 * bv.get(e) + (1 - beta2) * gr * gr;
      bm.set(e, mm);
      bv.set(e, vv);
      double upd = (mm / c1) / (Math.sqrt(vv / c2) + eps) + weightDecay * p.get(e);
      p.set(e, p.get(e) - lr * upd);
    }
  }

  @Override
  public void synchronize() {}
}
