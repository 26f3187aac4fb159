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

/** Nearest-code search of the RQ-VAE: N = 4096 vectors of D = 64 against K = 256 codes (distance + argmin). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class VqBench {
  @Param({"simd", "scalar"})
  public String mode;

  static final int N = 4096, K = 256, D = 64;
  private Backend be;
  private Buffer x, codebook, idx, dist;

  @Setup
  public void setup() {
    be = KernelState.backend(mode);
    x = KernelState.random(be, N * D, 1);
    codebook = KernelState.random(be, K * D, 2);
    idx = be.allocate(DType.I32, N);
    dist = be.allocate(DType.F32, N);
  }

  @Benchmark
  public Buffer vqNearest() {
    be.vqNearest(x, codebook, idx, dist, N, K, D);
    return idx;
  }
}
