package org.cartengine.engine.backend.device;

import static org.cartengine.engine.backend.device.DeviceBackend.k;
import static org.cartengine.engine.backend.device.DeviceBackend.rowThreads;
import static org.cartengine.engine.backend.device.LaunchGeometry.BLOCK_THREADS;

import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Buffer;

/**
 * The launches of kernels/src/main/kernels/softmax.cu: softmax and log-softmax, cross-entropy on logits, KL
 * divergence between log-probabilities (forward, backward).
 */
final class SoftmaxLaunches {
  /** The kernel family, compiled from kernels/src/main/kernels/softmax.cu. */
  private static final String FAMILY = "softmax";

  private final DeviceBackend dev;

  SoftmaxLaunches(DeviceBackend dev) {
    this.dev = dev;
  }

  void softmax(Buffer x, Buffer y, int rows, int cols, boolean log) {
    DType dt = dev.floatType(x, "softmax");
    dev.own(y, "softmax");
    if (rows <= 0 || cols <= 0) return;
    dev.launch(FAMILY, k("softmax_fwd", dt), dt, dev.rowBlocks(rows), rowThreads(cols), x, y, rows, cols, log ? 1 : 0);
  }

  void softmaxBackward(Buffer y, Buffer dy, Buffer dx, int rows, int cols, boolean log) {
    DType dt = dev.floatType(y, "softmaxBackward");
    dev.own(dy, "softmaxBackward");
    dev.own(dx, "softmaxBackward");
    if (rows <= 0 || cols <= 0) return;
    dev.launch(FAMILY, k("softmax_bwd", dt), dt, dev.rowBlocks(rows), rowThreads(cols), y, dy, dx, rows, cols, log ? 1 : 0);
  }

  void crossEntropy(Buffer logits, Buffer targets, Buffer loss, int rows, int cols, int ignoreIndex, double smoothing) {
    DType dt = dev.floatType(logits, "crossEntropy");
    dev.own(targets, "crossEntropy");
    dev.own(loss, "crossEntropy");
    if (rows <= 0) return;
    dev.launch(FAMILY, k("cross_entropy_fwd", dt), dt, dev.rowBlocks(rows), rowThreads(cols), logits, targets, loss, rows, cols, ignoreIndex, smoothing);
  }

  void crossEntropyBackward(Buffer logits, Buffer targets, Buffer dloss, Buffer dlogits, int rows, int cols, int ignoreIndex, double smoothing) {
    DType dt = dev.floatType(logits, "crossEntropyBackward");
    dev.own(targets, "crossEntropyBackward");
    dev.own(dloss, "crossEntropyBackward");
    dev.own(dlogits, "crossEntropyBackward");
    if (rows <= 0) return;
    dev.launch(FAMILY, k("cross_entropy_bwd", dt), dt, dev.rowBlocks(rows), rowThreads(cols), logits, targets, dloss, dlogits, rows, cols, ignoreIndex, smoothing);
  }

  void klDiv(Buffer logP, Buffer logQ, Buffer out, int rows, int cols) {
    DType dt = dev.floatType(logP, "klDiv");
    dev.own(logQ, "klDiv");
    dev.own(out, "klDiv");
    if (rows <= 0) return;
    dev.launch(FAMILY, k("kl_div_fwd", dt), dt, dev.rowBlocks(rows), rowThreads(cols), logP, logQ, out, rows, cols);
  }

  void klDivBackward(Buffer logP, Buffer logQ, Buffer dout, Buffer dlogP, Buffer dlogQ, int rows, int cols) {
    DType dt = dev.floatType(logP, "klDivBackward");
    dev.own(logQ, "klDivBackward");
    dev.own(dout, "klDivBackward");
    dev.own(dlogP, "klDivBackward");
    dev.own(dlogQ, "klDivBackward");
    long total = (long) rows * cols;
    if (total <= 0 || (dlogP == null && dlogQ == null)) return;
    dev.launch(FAMILY, k("kl_div_bwd", dt), dt, dev.blocksFor(total, BLOCK_THREADS), BLOCK_THREADS, logP, logQ, dout, dlogP, dlogQ, rows, cols);
  }
}
