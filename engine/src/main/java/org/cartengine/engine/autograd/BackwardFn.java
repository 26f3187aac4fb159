package org.cartengine.engine.autograd;

import org.cartengine.engine.Tensor;

/** Pushes the gradient of an op's output to its inputs (by {@link Autograd#accumulate}). */
@FunctionalInterface
public interface BackwardFn {
  void apply(Tensor gradOut);
}
