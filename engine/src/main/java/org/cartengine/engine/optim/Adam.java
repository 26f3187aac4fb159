package org.cartengine.engine.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.BufferScope;

/**
 * Adam (Kingma and Ba) and AdamW (decoupled weight decay, Loshchilov and Hutter), one fused kernel
 * per parameter per step. Global grad-norm clipping is folded into the same kernel as a gradient
 * scale, so clipping costs one reduction and no extra pass.
 */
public final class Adam {
  private final Map<String, Tensor> params;
  private final Map<String, Tensor[]> state = new LinkedHashMap<>();
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private int step;

  public Adam(Map<String, Tensor> params, double beta1, double beta2, double eps, double weightDecay) {
    this.params = new LinkedHashMap<>(params);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
  }

  public static Adam adam(Map<String, Tensor> params) {
    return new Adam(params, 0.9, 0.98, 1e-9, 0);
  }

  public int stepCount() {
    return step;
  }

  /** One update with learning rate lr; gradients are scaled so their global norm is at most maxNorm (<= 0: no clipping). Returns the norm before clipping. */
  public double step(double lr, double maxNorm) {
    double norm = GradClip.globalNorm(params.values());
    double scale = maxNorm > 0 && norm > maxNorm ? maxNorm / (norm + 1e-6) : 1.0;
    step++;
    for (var e : params.entrySet()) {
      Tensor p = e.getValue();
      Tensor g = p.grad();
      if (g == null) continue;
      // The moments live as long as the optimiser, not the step that first needed them (BufferScope).
      Tensor[] mv = state.computeIfAbsent(e.getKey(), k -> BufferScope.outside(
          () -> new Tensor[] {Tensor.zeros(p.backend(), p.dtype(), p.shape()), Tensor.zeros(p.backend(), p.dtype(), p.shape())}));
      p.backend().adamStep(p.buffer(), g.buffer(), mv[0].buffer(), mv[1].buffer(), p.numel(), lr, beta1, beta2, eps, weightDecay, step, scale);
    }
    return norm;
  }

  public void zeroGrad() {
    for (Tensor p : params.values()) {
      Tensor g = p.grad();
      p.zeroGrad();
      if (g != null) g.close();
    }
  }

  /** Optimiser state for checkpoints: "m.NAME", "v.NAME" tensors. */
  public Map<String, Tensor> stateDict() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (var e : state.entrySet()) {
      out.put("m." + e.getKey(), e.getValue()[0]);
      out.put("v." + e.getKey(), e.getValue()[1]);
    }
    return out;
  }

  public void loadState(Map<String, Tensor> sd, int stepCount) {
    step = stepCount;
    state.clear();
    for (var e : params.entrySet()) {
      Tensor m = sd.get("m." + e.getKey()), v = sd.get("v." + e.getKey());
      if (m == null || v == null) continue;
      Tensor p = e.getValue();
      state.put(e.getKey(), new Tensor[] {m.to(p.backend(), p.dtype()), v.to(p.backend(), p.dtype())});
    }
  }
}
