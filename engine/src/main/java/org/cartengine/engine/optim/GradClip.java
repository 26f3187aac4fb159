package org.cartengine.engine.optim;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Buffer;

public final class GradClip {
  private GradClip() {}

  /**
   * sqrt of the sum of squares of every gradient: all of a backend's gradients in one call, so a GPU synchronises
   * once per step for the norm instead of once per parameter (which kept the host from running ahead of the device).
   */
  public static double globalNorm(Collection<Tensor> params) {
    Map<Backend, List<Tensor>> byBackend = new LinkedHashMap<>();
    for (Tensor p : params) {
      Tensor g = p.grad();
      if (g != null) byBackend.computeIfAbsent(g.backend(), b -> new ArrayList<>()).add(g);
    }
    double s = 0;
    for (var e : byBackend.entrySet()) {
      List<Tensor> gs = e.getValue();
      Buffer[] xs = new Buffer[gs.size()];
      int[] ns = new int[gs.size()];
      for (int i = 0; i < xs.length; i++) {
        xs[i] = gs.get(i).buffer();
        ns[i] = gs.get(i).numel();
      }
      s += e.getKey().sumSquares(xs, ns);
    }
    return Math.sqrt(s);
  }
}
