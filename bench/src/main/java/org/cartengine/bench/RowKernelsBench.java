package org.cartengine.bench;

import java.util.concurrent.TimeUnit;
import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Buffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Row kernels at the Transformer's activation shape, 256 x 16 tokens by d_model 256 (and a 1024-wide
 * softmax, a vocabulary-sized row): softmax forward and backward, layer norm forward and backward.
 * "scalar" is the same backend with cart.simd=off.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class RowKernelsBench {
  @Param({"4096x256", "4096x1024"})
  public String shape;

  @Param({"simd", "scalar"})
  public String mode;

  private Backend be;
  private int rows, cols;
  private Buffer x, y, dy, dx, gamma, beta, mean, rstd, dgamma, dbeta;

  @Setup
  public void setup() {
    be = KernelState.backend(mode);
    String[] p = shape.split("x");
    rows = Integer.parseInt(p[0]);
    cols = Integer.parseInt(p[1]);
    x = KernelState.random(be, rows * cols, 1);
    dy = KernelState.random(be, rows * cols, 2);
    gamma = KernelState.random(be, cols, 3);
    beta = KernelState.random(be, cols, 4);
    y = be.allocate(DType.F32, rows * cols);
    dx = be.allocate(DType.F32, rows * cols);
    mean = be.allocate(DType.F32, rows);
    rstd = be.allocate(DType.F32, rows);
    dgamma = be.allocate(DType.F32, cols);
    dbeta = be.allocate(DType.F32, cols);
    be.softmax(x, y, rows, cols, false);
    be.layerNorm(x, gamma, beta, dx, mean, rstd, rows, cols, 1e-5);
  }

  @Benchmark
  public Buffer softmaxForward() {
    be.softmax(x, y, rows, cols, false);
    return y;
  }

  @Benchmark
  public Buffer softmaxBackward() {
    be.softmaxBackward(y, dy, dx, rows, cols, false);
    return dx;
  }

  @Benchmark
  public Buffer layerNormForward() {
    be.layerNorm(x, gamma, beta, y, mean, rstd, rows, cols, 1e-5);
    return y;
  }

  @Benchmark
  public Buffer layerNormBackward() {
    be.layerNormBackward(x, gamma, mean, rstd, dy, dx, dgamma, dbeta, rows, cols);
    return dx;
  }
}
