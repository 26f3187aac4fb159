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
 * Fused attention forward and backward at CART's shapes "BxHxTxD": the encoder/decoder self-attention
 * (batch 256, 8 heads, 32 tokens, head size 32) and a short code sequence (4 heads of 64, 8 tokens),
 * causal, with a key-padding mask.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class AttentionBench {
  @Param({"256x8x32x32", "256x4x8x64"})
  public String shape;

  @Param({"simd", "scalar"})
  public String mode;

  private Backend be;
  private int b, h, t, d;
  private Buffer q, k, v, pad, out, lse, dout, dq, dk, dv;

  @Setup
  public void setup() {
    be = KernelState.backend(mode);
    String[] p = shape.split("x");
    b = Integer.parseInt(p[0]);
    h = Integer.parseInt(p[1]);
    t = Integer.parseInt(p[2]);
    d = Integer.parseInt(p[3]);
    int n = b * h * t * d;
    q = KernelState.random(be, n, 1);
    k = KernelState.random(be, n, 2);
    v = KernelState.random(be, n, 3);
    dout = KernelState.random(be, n, 4);
    int[] mask = new int[b * t];
    for (int i = 0; i < mask.length; i++) mask[i] = (i % t) < t - (i / t) % 3 ? 1 : 0; // the last 0-2 keys of a row padded
    pad = be.allocate(DType.I32, b * t);
    be.write(pad, 0, mask, 0, mask.length);
    out = be.allocate(DType.F32, n);
    lse = be.allocate(DType.F32, b * h * t);
    dq = be.allocate(DType.F32, n);
    dk = be.allocate(DType.F32, n);
    dv = be.allocate(DType.F32, n);
    forward();
  }

  @Benchmark
  public Buffer forward() {
    be.attention(q, k, v, pad, out, lse, b, h, t, t, d, 1 / Math.sqrt(d), true);
    return out;
  }

  @Benchmark
  public Buffer backward() {
    be.attentionBackward(q, k, v, pad, out, lse, dout, dq, dk, dv, b, h, t, t, d, 1 / Math.sqrt(d), true);
    return dq;
  }
}
