// Optimiser family: one fused Adam/AdamW step per element, reading and writing param, m and v once.
// The host passes the bias corrections c1 = 1 - beta1^t and c2 = 1 - beta2^t (computed in double).
#include "common.h"

KERNEL void SFX(adam_step)(GLOBAL real* param, const GLOBAL real* grad, GLOBAL real* m, GLOBAL real* v, int n,
    real lr, real beta1, real beta2, real eps, real weightDecay, real c1, real c2, real gradScale) {
  for (int i = GID_X; i < n; i += GSTRIDE_X) {
    real g = grad[i] * gradScale;
    real mm = beta1 * m[i] + (R(1) - beta1) * g;
    real vv = beta2 * v[i] + (R(1) - beta2) * g * g;
    m[i] = mm;
    v[i] = vv;
    real p = param[i];
    param[i] = p - lr * ((mm / c1) / (SQRT(vv / c2) + eps) + weightDecay * p);
  }
}
