// Elementwise family: fill, cast, strided copy, axpy, unary and binary ops (forward and backward), where,
// CART's sigmoid gate (fine fusion, eqs. 4-5) and inverted dropout. The scalar definitions are those of
// ReferenceBackend.unaryForward/unaryDerivative/binaryForward/binaryDerivative. All outputs use =, except
// copy_strided with accumulate = 1 and axpy, which add.
#include "common.h"

// Unary op codes: ElementwiseLaunches reads these numbers from this file, by the UnaryOp / BinaryOp names.
#define U_NEG 0
#define U_EXP 1
#define U_LOG 2
#define U_SQRT 3
#define U_RELU 4
#define U_GELU 5
#define U_ELU 6
#define U_TANH 7
#define U_SIGMOID 8
#define U_POW 9
#define U_ABS 10
#define U_SQUARE 11
#define U_GELU_ERF 12
// Binary op codes.
#define B_ADD 0
#define B_SUB 1
#define B_MUL 2
#define B_DIV 3
#define B_MAX 4
#define B_MIN 5

// sqrt(2/pi): GELU's tanh approximation.
#define GELU_C R(0.7978845608028654)
// GELU_ERF(x) = x Phi(x) with Phi(x) = erfc(-x / sqrt 2) / 2: erfc keeps its relative accuracy for x << 0, where
// 1 + erf would cancel. INV_SQRT_2PI scales the normal density in the derivative.
#define INV_SQRT_2 R(0.7071067811865476)
#define INV_SQRT_2PI R(0.3989422804014327)

DEVICE real sigmoid_r(real x) {
  if (x >= 0) return R(1) / (R(1) + EXP(-x));
  real e = EXP(x);
  return e / (R(1) + e);
}

DEVICE real unary_forward(int op, real p, real x) {
  switch (op) {
    case U_NEG: return -x;
    case U_EXP: return EXP(x);
    case U_LOG: return LOG(x);
    case U_SQRT: return SQRT(x);
    case U_RELU: return x > 0 ? x : R(0);
    case U_GELU: return R(0.5) * x * (R(1) + TANH(GELU_C * (x + R(0.044715) * x * x * x)));
    case U_ELU: return x > 0 ? x : p * (EXP(x) - R(1));
    case U_TANH: return TANH(x);
    case U_SIGMOID: return sigmoid_r(x);
    case U_POW: return POW(x, p);
    case U_ABS: return FABS(x);
    case U_SQUARE: return x * x;
    case U_GELU_ERF: return R(0.5) * x * ERFC(-x * INV_SQRT_2);
  }
  return REAL_NAN;
}

// d f(x)/dx given x and y = f(x).
DEVICE real unary_derivative(int op, real p, real x, real y) {
  switch (op) {
    case U_NEG: return R(-1);
    case U_EXP: return y;
    case U_LOG: return R(1) / x;
    case U_SQRT: return R(0.5) / y;
    case U_RELU: return x > 0 ? R(1) : R(0);
    case U_GELU: {
      real u = GELU_C * (x + R(0.044715) * x * x * x);
      real t = TANH(u);
      real du = GELU_C * (R(1) + R(3 * 0.044715) * x * x);
      return R(0.5) * (R(1) + t) + R(0.5) * x * (R(1) - t * t) * du;
    }
    case U_ELU: return x > 0 ? R(1) : y + p;
    case U_TANH: return R(1) - y * y;
    case U_SIGMOID: return y * (R(1) - y);
    case U_POW: return p * POW(x, p - R(1));
    case U_ABS: return x > 0 ? R(1) : (x < 0 ? R(-1) : R(0));
    case U_SQUARE: return R(2) * x;
    case U_GELU_ERF: return R(0.5) * ERFC(-x * INV_SQRT_2) + x * INV_SQRT_2PI * EXP(R(-0.5) * x * x);
  }
  return REAL_NAN;
}

DEVICE real binary_forward(int op, real a, real b) {
  switch (op) {
    case B_ADD: return a + b;
    case B_SUB: return a - b;
    case B_MUL: return a * b;
    case B_DIV: return a / b;
    case B_MAX: return MAXR(a, b);
    case B_MIN: return MINR(a, b);
  }
  return REAL_NAN;
}

// d(a op b)/da (which = 0) or /db (which = 1); MAX and MIN send the gradient to a on ties.
DEVICE real binary_derivative(int op, int which, real a, real b) {
  switch (op) {
    case B_ADD: return R(1);
    case B_SUB: return which == 0 ? R(1) : R(-1);
    case B_MUL: return which == 0 ? b : a;
    case B_DIV: return which == 0 ? R(1) / b : -a / (b * b);
    case B_MAX: return ((a >= b) == (which == 0)) ? R(1) : R(0);
    case B_MIN: return ((a <= b) == (which == 0)) ? R(1) : R(0);
  }
  return REAL_NAN;
}

KERNEL void SFX(fill)(GLOBAL real* y, int off, int n, real v) {
  for (int i = GID_X; i < n; i += GSTRIDE_X) y[off + i] = v;
}

KERNEL void SFX(axpy)(real alpha, const GLOBAL real* RESTRICT x, GLOBAL real* RESTRICT y, int n) {
  for (int i = GID_X; i < n; i += GSTRIDE_X) y[i] += alpha * x[i];
}

// dst[dstOff + sum i_k*sb_k] (+)= src[srcOff + sum i_k*sa_k] over L.shape.
KERNEL void SFX(copy_strided)(const GLOBAL real* src, int srcOff, GLOBAL real* dst, int dstOff, layout8 L, int total, int accumulate) {
  for (int e = GID_X; e < total; e += GSTRIDE_X) {
    int is, id;
    LAYOUT_OFFSETS(L, e, is, id);
    if (accumulate) dst[dstOff + id] += src[srcOff + is];
    else dst[dstOff + id] = src[srcOff + is];
  }
}

KERNEL void SFX(unary_fwd)(int op, real p, const GLOBAL real* RESTRICT x, GLOBAL real* RESTRICT y, int n) {
  for (int i = GID_X; i < n; i += GSTRIDE_X) y[i] = unary_forward(op, p, x[i]);
}

KERNEL void SFX(unary_bwd)(int op, real p, const GLOBAL real* x, const GLOBAL real* y, const GLOBAL real* dy, GLOBAL real* dx, int n) {
  for (int i = GID_X; i < n; i += GSTRIDE_X) dx[i] = dy[i] * unary_derivative(op, p, x[i], y[i]);
}

// out[outOff + e] = a[aOff + ia] op b[bOff + ib] over L.shape (a zero stride broadcasts). The offsets let the
// host split index spaces of more than 8 axes into several launches.
KERNEL void SFX(binary_fwd)(int op, const GLOBAL real* a, int aOff, const GLOBAL real* b, int bOff, GLOBAL real* out, int outOff, layout8 L, int total) {
  for (int e = GID_X; e < total; e += GSTRIDE_X) {
    int ia, ib;
    LAYOUT_OFFSETS(L, e, ia, ib);
    out[outOff + e] = binary_forward(op, a[aOff + ia], b[bOff + ib]);
  }
}

KERNEL void SFX(binary_bwd)(int op, int which, const GLOBAL real* a, int aOff, const GLOBAL real* b, int bOff,
    const GLOBAL real* dout, GLOBAL real* g, int outOff, layout8 L, int total) {
  for (int e = GID_X; e < total; e += GSTRIDE_X) {
    int ia, ib;
    LAYOUT_OFFSETS(L, e, ia, ib);
    g[outOff + e] = dout[outOff + e] * binary_derivative(op, which, a[aOff + ia], b[bOff + ib]);
  }
}

KERNEL void SFX(where)(const GLOBAL real* cond, const GLOBAL real* a, const GLOBAL real* b, GLOBAL real* out, int n) {
  for (int i = GID_X; i < n; i += GSTRIDE_X) out[i] = cond[i] != 0 ? a[i] : b[i];
}

KERNEL void SFX(sigmoid_gate_fwd)(const GLOBAL real* a, const GLOBAL real* b, GLOBAL real* out, int n) {
  for (int i = GID_X; i < n; i += GSTRIDE_X) out[i] = sigmoid_r(a[i]) * b[i];
}

// da = dout * b * s(1-s), db = dout * s; either output may be null.
KERNEL void SFX(sigmoid_gate_bwd)(const GLOBAL real* a, const GLOBAL real* b, const GLOBAL real* dout, GLOBAL real* da, GLOBAL real* db, int n) {
  for (int i = GID_X; i < n; i += GSTRIDE_X) {
    real s = sigmoid_r(a[i]);
    if (da) da[i] = dout[i] * b[i] * s * (R(1) - s);
    if (db) db[i] = dout[i] * s;
  }
}

// Dropout.hash, bit for bit: element i is kept iff (hash >>> 8) >= keepFrom, where the host computes
// keepFrom = ceil(p * 2^24), the exact integer form of Dropout.keep's uniform(seed, i) >= p.
DEVICE u32 dropout_hash(u32 seedLo, u32 seedHi, u32 i) {
  u32 x = (i * 0x9E3779B9u) ^ seedLo;
  x ^= seedHi * 0x85EBCA6Bu;
  x ^= x >> 16;
  x *= 0x7FEB352Du;
  x ^= x >> 15;
  x *= 0x846CA68Bu;
  x ^= x >> 16;
  return x;
}

KERNEL void SFX(dropout)(const GLOBAL real* x, GLOBAL real* y, int n, int seedLo, int seedHi, int keepFrom, real scale) {
  for (int i = GID_X; i < n; i += GSTRIDE_X) {
    u32 h = dropout_hash((u32)seedLo, (u32)seedHi, (u32)i);
    y[i] = (int)(h >> 8) >= keepFrom ? x[i] * scale : R(0);
  }
}

// ------------------------------------------------------------------ casts and integer buffers
// Casts out of and into I32 live in each program; F32 <-> F64 in the f64 program (only it may use double
// when the device lacks it). Float -> int truncates toward zero, as Java's (int) cast does for in-range values.
KERNEL void SFX(cast_from_i32)(const GLOBAL int* x, GLOBAL real* y, int n) {
  for (int i = GID_X; i < n; i += GSTRIDE_X) y[i] = (real)x[i];
}

KERNEL void SFX(cast_to_i32)(const GLOBAL real* x, GLOBAL int* y, int n) {
  for (int i = GID_X; i < n; i += GSTRIDE_X) y[i] = (int)x[i];
}

#if defined(REAL_F64)
KERNEL void cast_f32_to_f64(const GLOBAL float* x, GLOBAL double* y, int n) {
  for (int i = GID_X; i < n; i += GSTRIDE_X) y[i] = (double)x[i];
}

KERNEL void cast_f64_to_f32(const GLOBAL double* x, GLOBAL float* y, int n) {
  for (int i = GID_X; i < n; i += GSTRIDE_X) y[i] = (float)x[i];
}
#else
KERNEL void fill_i32(GLOBAL int* y, int off, int n, int v) {
  for (int i = GID_X; i < n; i += GSTRIDE_X) y[off + i] = v;
}

KERNEL void copy_strided_i32(const GLOBAL int* src, int srcOff, GLOBAL int* dst, int dstOff, layout8 L, int total, int accumulate) {
  for (int e = GID_X; e < total; e += GSTRIDE_X) {
    int is, id;
    LAYOUT_OFFSETS(L, e, is, id);
    if (accumulate) dst[dstOff + id] += src[srcOff + is];
    else dst[dstOff + id] = src[srcOff + is];
  }
}
#endif
