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
 * F32 GEMM on the SIMD backend: square sizes, and the Transformer's shapes with batch 256 x 16
 * tokens, d_model 256, d_ff 1024 (up- and down-projection, and the weight gradient X^T dY, which
 * reads A transposed). Shapes are "M" (square) or "MxNxK", with a "t" prefix for transA.
 * GFLOP/s = 2*M*N*K / time (bench/report.py).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class MatmulBench {
  @Param({"256", "512", "1024", "2048", "4096x1024x256", "4096x256x1024", "t256x1024x4096"})
  public String shape;

  @Param({"simd"})
  public String mode;

  private Backend be;
  private Buffer a, b, c;
  private boolean transA;
  private int m, n, k;

  @Setup
  public void setup() {
    be = KernelState.backend(mode);
    transA = shape.startsWith("t");
    String s = transA ? shape.substring(1) : shape;
    if (s.contains("x")) {
      String[] p = s.split("x");
      m = Integer.parseInt(p[0]);
      n = Integer.parseInt(p[1]);
      k = Integer.parseInt(p[2]);
    } else {
      m = n = k = Integer.parseInt(s);
    }
    a = KernelState.random(be, m * k, 1);
    b = KernelState.random(be, k * n, 2);
    c = be.allocate(DType.F32, m * n);
  }

  @Benchmark
  public Buffer gemm() {
    be.gemm(transA, false, 1, m, n, k, 1.0, a, 0, 0, transA ? m : k, b, 0, 0, n, 0.0, c, 0, 0, n);
    return c;
  }
}
