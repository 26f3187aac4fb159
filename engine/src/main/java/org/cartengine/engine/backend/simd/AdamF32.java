package org.cartengine.engine.backend.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** One fused Adam/AdamW step over a parameter buffer, in vector lanes, split over the threads. */
final class AdamF32 {
  private static final VectorSpecies<Float> S = Vec.F;
  private static final int L = Vec.L;

  private final boolean simd;
  private final Parallel par;

  AdamF32(boolean simd, Parallel par) {
    this.simd = simd;
    this.par = par;
  }

  /** m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr (mhat / (sqrt(vhat) + eps) + wd p), g scaled by gradScale first. */
  void step(float[] p, float[] g, float[] m, float[] v, int n, double lr, double beta1, double beta2, double eps,
      double weightDecay, int step, double gradScale) {
    float b1 = (float) beta1, b2 = (float) beta2, c1 = (float) (1 / (1 - Math.pow(beta1, step))), c2 = (float) (1 / (1 - Math.pow(beta2, step)));
    float flr = (float) lr, feps = (float) eps, wd = (float) weightDecay, gs = (float) gradScale;
    par.forRange(n, 12, (lo, hi) -> {
      int i = lo;
      if (simd) {
        for (int end = lo + (hi - lo) / L * L; i < end; i += L) {
          FloatVector gr = FloatVector.fromArray(S, g, i).mul(gs);
          FloatVector mm = FloatVector.fromArray(S, m, i).mul(b1).add(gr.mul(1 - b1));
          FloatVector vv = FloatVector.fromArray(S, v, i).mul(b2).add(gr.mul(gr).mul(1 - b2));
          mm.intoArray(m, i);
          vv.intoArray(v, i);
          FloatVector pp = FloatVector.fromArray(S, p, i);
          FloatVector upd = mm.mul(c1).div(vv.mul(c2).sqrt().add(feps)).add(pp.mul(wd));
          pp.sub(upd.mul(flr)).intoArray(p, i);
        }
      }
      for (; i < hi; i++) {
        float gr = g[i] * gs;
        float mm = b1 * m[i] + (1 - b1) * gr, vv = b2 * v[i] + (1 - b2) * gr * gr;
        m[i] = mm;
        v[i] = vv;
        float upd = (mm * c1) / ((float) Math.sqrt(vv * c2) + feps) + wd * p[i];
        p[i] -= flr * upd;
      }
    });
  }
}
