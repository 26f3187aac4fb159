package org.cartengine.bench.gpu;

import java.util.Arrays;
import java.util.Random;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.runtime.JCuda;
import jcuda.runtime.cudaEvent_t;

/**
 * Whether JCublas loads on the GPU machine (its native library is built against one cuBLAS major version, the
 * machine may have another), and if it does, cuBLAS FP32 SGEMM 4096^3 through it: a second in-process reference
 * for the GEMM row of bench/gpu-check.sh. Prints RESULT lines like GpuCheck; a failure to load is a finding, not
 * a failed check.
 */
final class JcublasCheck {
  private JcublasCheck() {}

  static void run() {
    cublasHandle handle = new cublasHandle();
    try {
      JCublas2.setExceptionsEnabled(true);
      JCuda.setExceptionsEnabled(true);
      JCublas2.cublasCreate(handle);
    } catch (Throwable t) {
      System.out.println("JCublas does not load here: " + t.toString().lines().findFirst().orElse("") + (t.getCause() == null ? "" : " / " + t.getCause()));
      for (Throwable s = t; s != null; s = s.getCause()) {
        s.toString().lines().filter(l -> l.contains("cannot open shared object")).findFirst().ifPresent(l -> System.out.println("  " + l.strip()));
      }
      GpuCheck.result("jcublas_loads", "no", t.getClass().getSimpleName());
      return;
    }
    GpuCheck.result("jcublas_loads", "yes", "");
    int n = Boolean.getBoolean("gpucheck.small") ? 256 : 4096;
    long bytes = (long) n * n * Sizeof.FLOAT;
    Pointer a = new Pointer(), b = new Pointer(), c = new Pointer();
    JCuda.cudaMalloc(a, bytes);
    JCuda.cudaMalloc(b, bytes);
    JCuda.cudaMalloc(c, bytes);
    float[] host = new float[n * n];
    Random r = new Random(7);
    for (int i = 0; i < host.length; i++) host[i] = (float) r.nextGaussian();
    JCuda.cudaMemcpy(a, Pointer.to(host), bytes, jcuda.runtime.cudaMemcpyKind.cudaMemcpyHostToDevice);
    JCuda.cudaMemcpy(b, Pointer.to(host), bytes, jcuda.runtime.cudaMemcpyKind.cudaMemcpyHostToDevice);
    Pointer one = Pointer.to(new float[] {1f}), zero = Pointer.to(new float[] {0f});
    Runnable gemm = () -> JCublas2.cublasSgemm(handle, cublasOperation.CUBLAS_OP_N, cublasOperation.CUBLAS_OP_N,
        n, n, n, one, a, n, b, n, zero, c, n);
    cudaEvent_t start = new cudaEvent_t(), stop = new cudaEvent_t();
    JCuda.cudaEventCreate(start);
    JCuda.cudaEventCreate(stop);
    for (int i = 0; i < 3; i++) gemm.run();
    double[] ms = new double[10];
    for (int i = 0; i < ms.length; i++) {
      JCuda.cudaEventRecord(start, null);
      gemm.run();
      JCuda.cudaEventRecord(stop, null);
      JCuda.cudaEventSynchronize(stop);
      float[] t = new float[1];
      JCuda.cudaEventElapsedTime(t, start, stop);
      ms[i] = t[0];
    }
    Arrays.sort(ms);
    double med = (ms[4] + ms[5]) / 2;
    GpuCheck.result("jcublas_sgemm_" + n, String.format("%.1f", 2.0 * n * n * n / med / 1e9), "TFLOP/s (" + String.format("%.3f", med) + " ms, FP32 default math mode)");
    JCuda.cudaFree(a);
    JCuda.cudaFree(b);
    JCuda.cudaFree(c);
    JCublas2.cublasDestroy(handle);
  }
}
