package org.cartengine.engine.optim;

/** Learning rate as a function of the (1-based) optimiser step. */
public interface LrSchedule {
  double lr(int step);

  /**
   * fairseq's inverse_sqrt: linear warm-up from warmupInit to peak over warmup steps, then
   * peak * sqrt(warmup / step). Used for the RQ-VAE (paper appendix C).
   */
  static LrSchedule inverseSqrt(double peak, int warmup, double warmupInit) {
    return step -> {
      if (step <= warmup) return warmupInit + (peak - warmupInit) * step / Math.max(1, warmup);
      return peak * Math.sqrt((double) warmup / step);
    };
  }

  /**
   * Linear warm-up to peak, then cosine annealing to minLr with warm restarts (SGDR, Loshchilov and
   * Hutter): the first cycle lasts period steps, each next one mult times longer. Used for the
   * retriever (paper appendix C).
   */
  static LrSchedule cosineWithRestarts(double peak, int warmup, int period, double mult, double minLr) {
    return step -> {
      if (step <= warmup) return peak * step / Math.max(1, warmup);
      double t = step - warmup;
      double len = Math.max(1, period);
      while (t >= len) {
        t -= len;
        len *= mult;
      }
      return minLr + 0.5 * (peak - minLr) * (1 + Math.cos(Math.PI * t / len));
    };
  }

  /**
   * Linear warm-up to peak, then cosine annealing to minLr in cycles of {@code cycle} steps counted from step 0, so
   * the first cycle holds the warm-up. Unlike {@link #cosineWithRestarts}, whose cycles start at the peak, each cycle
   * here ends at minLr on its last step and the next starts one step below the peak: with {@code cycle} a whole
   * number of epochs, every cycle ends at the floor on an epoch boundary. The retriever's warm restarts (paper
   * appendix C).
   */
  static LrSchedule cosineCycles(double peak, int warmup, int cycle, double minLr) {
    return step -> {
      if (step <= warmup) return peak * step / Math.max(1, warmup);
      double t, len;
      if (step <= cycle) {
        t = step - warmup;
        len = cycle - warmup;
      } else {
        t = (step - cycle - 1) % cycle + 1;
        len = cycle;
      }
      return minLr + 0.5 * (peak - minLr) * (1 + Math.cos(Math.PI * t / len));
    };
  }
}
