package org.cartengine.engine.backend.device;

import static org.cartengine.engine.backend.device.DeviceBackend.k;
import static org.cartengine.engine.backend.device.LaunchGeometry.BLOCK_THREADS;

import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Buffer;

/**
 * The launches of kernels/src/main/kernels/adam.cu: fused Adam/AdamW step.
 */
final class AdamLaunches {
  /** The kernel family, compiled from kernels/src/main/kernels/adam.cu. */
  private static final String FAMILY = "adam";

  private final DeviceBackend dev;

  AdamLaunches(DeviceBackend dev) {
    this.dev = dev;
  }

  void adamStep(Buffer param, Buffer grad, Buffer m, Buffer v, int n, double lr, double beta1, double beta2,
      double eps, double weightDecay, int step, double gradScale) {
    DType dt = dev.floatType(param, "adamStep");
    dev.own(grad, "adamStep");
    dev.own(m, "adamStep");
    dev.own(v, "adamStep");
    if (n <= 0) return;
    double c1 = 1 - Math.pow(beta1, step), c2 = 1 - Math.pow(beta2, step);
    dev.launch(FAMILY, k("adam_step", dt), dt, dev.blocksFor(n, BLOCK_THREADS), BLOCK_THREADS, param, grad, m, v, n, lr, beta1, beta2, eps, weightDecay, c1, c2, gradScale);
  }
}
