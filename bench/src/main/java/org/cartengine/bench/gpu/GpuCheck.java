package org.cartengine.bench.gpu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;
import org.cartengine.engine.backend.Buffer;
import org.cartengine.engine.backend.UnaryOp;
import org.cartengine.engine.backend.BinaryOp;
import org.cartengine.engine.backend.cuda.CudaBackend;
import org.cartengine.engine.backend.device.DeviceBackend;
import org.cartengine.engine.backend.parity.BackendCheck;
import org.cartengine.engine.backend.reference.ReferenceBackend;
import org.cartengine.engine.ops.Attention;
import org.cartengine.engine.ops.Elementwise;
import org.cartengine.engine.ops.Embedding;
import org.cartengine.engine.ops.LayerNorm;
import org.cartengine.engine.ops.Linalg;
import org.cartengine.engine.ops.Softmax;

/**
 * The Java half of bench/gpu-check.sh, for a GPU machine with no JDK, Maven or JUnit:
 *
 * <ul>
 *   <li>{@code parity}: every Backend method of the backend against the reference (BackendCheck), F32 and F64;
 *   <li>{@code train}: a CART-shaped training step (embedding, layer norm, attention, MLP, sigmoid gate,
 *       dropout, cross-entropy, Adam) through the engine's autograd: first the same small steps on the reference
 *       backend and on the device (losses and weights must agree), then the step time at CART's size and the
 *       driver allocations per step;
 *   <li>{@code bench}: kernel timings with CUDA events after warm-up (medians): GEMM, row and elementwise
 *       kernels against a device-to-device copy, fused attention forward + backward.
 * </ul>
 *
 * Results are lines {@code RESULT<TAB>key<TAB>value<TAB>unit}; bench/gpu_table.py joins them with PyTorch's
 * numbers from the same card. The backend is {@code -Dcart.backend} (default cuda); {@code -Dgpucheck.small=true}
 * shrinks every size for a dry run on a CPU device (OpenCL on PoCL). Exit status 1 when a check fails.
 */
public final class GpuCheck {
  private static final boolean SMALL = Boolean.getBoolean("gpucheck.small");
  private static int failures;

  private GpuCheck() {}

  public static void main(String[] args) {
    String cmd = args.length > 0 ? args[0] : "all";
    String name = System.getProperty("cart.backend", "cuda");
    Backend be;
    try {
      be = Backends.create(name);
    } catch (RuntimeException e) {
      System.out.println("FAIL: backend " + name + " unavailable: " + e.getMessage());
      System.exit(2);
      return;
    }
    System.out.println("device: " + be.device());
    result("device", be.device().replace('\t', ' '), "");
    switch (cmd) {
      case "parity": parity(be); break;
      case "train": train(be); break;
      case "bench": bench(be); break;
      case "all": parity(be); train(be); bench(be); break;
      case "jcublas": JcublasCheck.run(); break;
      default: System.out.println("usage: GpuCheck parity|train|bench|jcublas|all"); System.exit(2);
    }
    be.close();
    System.out.println(failures == 0 ? "GpuCheck " + cmd + ": all checks passed" : "GpuCheck " + cmd + ": " + failures + " FAILED");
    System.exit(failures == 0 ? 0 : 1);
  }

  static void result(String key, Object value, String unit) {
    System.out.println("RESULT\t" + key + "\t" + value + "\t" + unit);
  }

  private static void fail(String what) {
    failures++;
    System.out.println("FAIL: " + what);
  }

  // ---------------------------------------------------------------- parity

  static void parity(Backend be) {
    for (DType dt : new DType[] {DType.F32, DType.F64}) {
      if (!be.supports(dt)) {
        System.out.println("parity " + dt + ": skipped, " + be.device() + " does not support it");
        continue;
      }
      System.out.println("parity " + be.name() + " " + dt + " against the reference backend:");
      BackendCheck check = new BackendCheck(be, dt, 2024);
      int total = check.checks().size();
      List<String> failed = check.runAll(System.out::println);
      for (String f : failed) fail("parity " + dt + " " + f);
      result("parity_" + dt.name().toLowerCase(), (total - failed.size()) + "/" + total, "checks passed");
    }
  }

  // ---------------------------------------------------------------- CART-shaped training step

  /** Sizes of the model: batch, sequence length, width, heads, MLP width, vocabulary (codebook entries). */
  record Shape(int batch, int len, int width, int heads, int ff, int vocab) {}

  /** One pre-norm Transformer block with CART's sigmoid gate, a tied-size output head and Adam state. */
  static final class Model {
    final Backend be;
    final Shape s;
    final List<Tensor> params = new ArrayList<>();
    final List<Buffer[]> adam = new ArrayList<>();
    final Tensor emb, ln1g, ln1b, wq, wk, wv, wo, ln2g, ln2b, w1, b1, w2, b2, wg, wout;
    int step;

    Model(Backend be, Shape s, long seed) {
      this.be = be;
      this.s = s;
      Random r = new Random(seed);
      int d = s.width();
      double std = 1 / Math.sqrt(d);
      emb = p(Tensor.randn(be, DType.F32, r, 0.1, s.vocab(), d));
      ln1g = p(Tensor.full(be, DType.F32, 1, d));
      ln1b = p(Tensor.zeros(be, DType.F32, d));
      wq = p(Tensor.randn(be, DType.F32, r, std, d, d));
      wk = p(Tensor.randn(be, DType.F32, r, std, d, d));
      wv = p(Tensor.randn(be, DType.F32, r, std, d, d));
      wo = p(Tensor.randn(be, DType.F32, r, std, d, d));
      ln2g = p(Tensor.full(be, DType.F32, 1, d));
      ln2b = p(Tensor.zeros(be, DType.F32, d));
      w1 = p(Tensor.randn(be, DType.F32, r, std, s.ff(), d));
      b1 = p(Tensor.zeros(be, DType.F32, s.ff()));
      w2 = p(Tensor.randn(be, DType.F32, r, 1 / Math.sqrt(s.ff()), d, s.ff()));
      b2 = p(Tensor.zeros(be, DType.F32, d));
      wg = p(Tensor.randn(be, DType.F32, r, std, d, d));
      wout = p(Tensor.randn(be, DType.F32, r, std, s.vocab(), d));
    }

    private Tensor p(Tensor t) {
      t.requiresGrad(true);
      params.add(t);
      adam.add(new Buffer[] {be.allocate(DType.F32, t.numel()), be.allocate(DType.F32, t.numel())});
      return t;
    }

    /** [B, T, d] -> [B, H, T, d/H]. */
    private Tensor heads(Tensor x) {
      int b = s.batch(), t = s.len(), h = s.heads();
      return x.reshape(b, t, h, s.width() / h).permute(0, 2, 1, 3);
    }

    /** One training step; returns the loss (a host read, so the step has finished on the device). */
    double step(int[] tokens, int[] targets, int[] keep, long dropoutSeed) {
      int b = s.batch(), t = s.len(), d = s.width();
      Tensor tok = Tensor.ofInts(be, tokens, b, t);
      Tensor mask = Tensor.ofInts(be, keep, b, t);
      Tensor x = Embedding.lookup(emb, tok);
      Tensor h = LayerNorm.layerNorm(x, ln1g, ln1b, 1e-5);
      Tensor q = heads(Linalg.linear(h, wq, null)), k = heads(Linalg.linear(h, wk, null)), v = heads(Linalg.linear(h, wv, null));
      Tensor a = Attention.attention(q, k, v, mask, true).permute(0, 2, 1, 3).reshape(b, t, d);
      x = x.add(Linalg.linear(a, wo, null));
      h = LayerNorm.layerNorm(x, ln2g, ln2b, 1e-5);
      Tensor f = Linalg.linear(Elementwise.gelu(Linalg.linear(h, w1, b1)), w2, b2);
      f = Elementwise.dropout(f, 0.1, dropoutSeed);
      x = x.add(Elementwise.sigmoidGate(Linalg.linear(h, wg, null), f));  // CART's fine-fusion gate, eqs. (4)-(5)
      Tensor logits = Linalg.linear(x, wout, null).reshape(b * t, s.vocab());
      Tensor loss = Softmax.crossEntropy(logits, Tensor.ofInts(be, targets, b * t), PAD, 0.1);
      loss.backward();
      step++;
      for (int i = 0; i < params.size(); i++) {
        Tensor p = params.get(i);
        Tensor g = p.grad().contiguous();
        be.adamStep(p.buffer(), g.buffer(), adam.get(i)[0], adam.get(i)[1], p.numel(), 1e-3, 0.9, 0.999, 1e-8, 0.01, step, 1.0);
        p.zeroGrad();
      }
      return loss.item();
    }
  }

  /** Target of padded positions (ignored by the loss): code 0 is reserved for padding. */
  static final int PAD = 0;

  /** A deterministic batch: random codes, some padded (ignored) positions at the end of each sequence. */
  static int[][] batch(Shape s, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int n = s.batch() * s.len();
    int[] tokens = new int[n], targets = new int[n], keep = new int[n];
    for (int b = 0; b < s.batch(); b++) {
      int len = 1 + r.nextInt(s.len());
      for (int i = 0; i < s.len(); i++) {
        int e = b * s.len() + i;
        tokens[e] = r.nextInt(s.vocab());
        keep[e] = i < len ? 1 : 0;
        targets[e] = i < len ? 1 + r.nextInt(s.vocab() - 1) : PAD;
      }
    }
    return new int[][] {tokens, targets, keep};
  }

  static void train(Backend be) {
    // 1. the same steps on the reference backend and on the device
    Shape small = new Shape(4, 8, 64, 4, 128, 96);
    Model ref = new Model(new ReferenceBackend(), small, 7), dev = new Model(be, small, 7);
    double worst = 0;
    for (int i = 0; i < 3; i++) {
      int[][] data = batch(small, 100 + i);
      double lr = ref.step(data[0], data[1], data[2], 55 + i), ld = dev.step(data[0], data[1], data[2], 55 + i);
      double rel = Math.abs(lr - ld) / Math.abs(lr);
      System.out.printf("train parity step %d: loss reference %.6f, %s %.6f (relative difference %.1e)%n", i + 1, lr, be.name(), ld, rel);
      worst = Math.max(worst, rel);
    }
    float[] wr = ref.wout.toFloatArray(), wd = dev.wout.toFloatArray();
    double num = 0, den = 0;
    for (int i = 0; i < wr.length; i++) {
      num += (wr[i] - wd[i]) * (double) (wr[i] - wd[i]);
      den += wr[i] * (double) wr[i];
    }
    double wErr = Math.sqrt(num / den);
    result("train_loss_rel_diff", String.format("%.2e", worst), "max over 3 steps vs reference");
    result("train_weight_rel_err", String.format("%.2e", wErr), "output head after 3 steps vs reference");
    if (!(worst < 1e-4)) fail("training step: loss differs from the reference by " + worst);
    if (!(wErr < 1e-4)) fail("training step: weights differ from the reference by " + wErr);

    // 2. step time at CART's size, and whether steady-state steps allocate from the driver
    Shape cart = SMALL ? new Shape(8, 8, 64, 4, 256, 128) : new Shape(256, 16, 512, 8, 2048, 1024);
    Model m = new Model(be, cart, 11);
    int[][] data = batch(cart, 3);
    long[] allocs = new long[8];
    double[] ms = new double[8];
    for (int i = 0; i < ms.length; i++) {
      // Tensors of the previous step are unreachable now; a training loop with scoped tensors closes them instead.
      System.gc();
      sleep(50);
      long t0 = System.nanoTime();
      double loss = m.step(data[0], data[1], data[2], i);
      ms[i] = (System.nanoTime() - t0) / 1e6;
      allocs[i] = be instanceof CudaBackend cb ? cb.driverAllocations() : -1;
      System.out.printf("train step %d at B=%d T=%d d=%d: loss %.4f, %.1f ms, driver allocations so far %d%n", i + 1, cart.batch(), cart.len(), cart.width(), loss, ms[i], allocs[i]);
      if (!Double.isFinite(loss)) fail("training step " + (i + 1) + ": loss " + loss);
    }
    double[] steady = Arrays.copyOfRange(ms, 2, ms.length);
    Arrays.sort(steady);
    result("train_step_ms", String.format("%.2f", steady[steady.length / 2]), String.format("ms/step, B=%d T=%d d=%d H=%d ff=%d V=%d", cart.batch(), cart.len(), cart.width(), cart.heads(), cart.ff(), cart.vocab()));
    if (allocs[0] >= 0) result("train_driver_allocs_after_step2", allocs[allocs.length - 1] - allocs[1], "cuMemAlloc calls in steps 3-8");
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------- kernel benchmarks

  /** Device time of work: CUDA events on the CUDA backend, else wall-clock between synchronisations. */
  static double timeMs(Backend be, Runnable work) {
    if (be instanceof CudaBackend cb) return cb.timeMs(work);
    be.synchronize();
    long t0 = System.nanoTime();
    work.run();
    be.synchronize();
    return (System.nanoTime() - t0) / 1e6;
  }

  /** Median of reps timed runs after warm-up runs. */
  static double median(Backend be, int warm, int reps, Runnable work) {
    for (int i = 0; i < warm; i++) work.run();
    double[] t = new double[reps];
    for (int i = 0; i < reps; i++) t[i] = timeMs(be, work);
    Arrays.sort(t);
    return t[reps / 2];
  }

  static Buffer random(Backend be, int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
    Buffer b = be.allocate(DType.F32, n);
    be.write(b, 0, v, 0, n);
    return b;
  }

  static double relErr(Backend be, Buffer a, Buffer ref, int n) {
    float[] x = new float[n], y = new float[n];
    be.read(a, 0, x, 0, n);
    be.read(ref, 0, y, 0, n);
    double num = 0, den = 0;
    for (int i = 0; i < n; i++) {
      num += (x[i] - y[i]) * (double) (x[i] - y[i]);
      den += y[i] * (double) y[i];
    }
    return Math.sqrt(num / den);
  }

  static void bench(Backend be) {
    int warm = SMALL ? 1 : 3, reps = SMALL ? 3 : 10;
    gemm(be, warm, reps);
    bandwidth(be, warm, reps);
    attention(be, warm, reps);
  }

  static void gemm(Backend be, int warm, int reps) {
    int n = SMALL ? 256 : 4096;
    Buffer a = random(be, n * n, 1), b = random(be, n * n, 2), c = be.allocate(DType.F32, n * n), cRef = be.allocate(DType.F32, n * n);
    double flop = 2.0 * n * n * n;
    DeviceBackend db = be instanceof DeviceBackend d ? d : null;
    String[] variants = db == null ? new String[] {"auto"} : new String[] {"tiled", "rb128", "tf32"};
    for (String v : variants) {
      if (db != null) db.gemmVariant(v);
      if (v.equals("tf32") && be instanceof CudaBackend cb && cb.computeCapability() < 80) continue;
      Buffer out = v.equals("tiled") ? cRef : c;
      double ms = median(be, warm, reps, () -> be.gemm(false, false, 1, n, n, n, 1, a, 0, 0, n, b, 0, 0, n, 0, out, 0, 0, n));
      String key = v.equals("tf32") ? "gemm_tf32_" + n : v.equals("tiled") ? "gemm_fp32_tiled_" + n : "gemm_fp32_" + n;
      result(key, String.format("%.2f", flop / ms / 1e9), "TFLOP/s (" + v + ", " + String.format("%.3f", ms) + " ms)");
      if (!v.equals("tiled")) {
        double err = relErr(be, c, cRef, n * n);
        result(key + "_rel_err_vs_tiled", String.format("%.1e", err), "");
        if (err > (v.equals("tf32") ? 1e-2 : 1e-5)) fail(key + ": result differs from the tiled kernel by " + err);
      }
    }
    if (db != null) db.gemmVariant("auto");
    for (Buffer x : new Buffer[] {a, b, c, cRef}) x.close();
    // CART's linear layers: x [B*T, in] @ w^T, w [out, in]
    int rows = SMALL ? 512 : 8192;
    int[][] shapes = {{rows, 512, 512}, {rows, 2048, 512}, {rows, 512, 2048}};
    for (int[] s : shapes) {
      int m = s[0], nn = s[1], k = s[2];
      Buffer x = random(be, m * k, 3), w = random(be, nn * k, 4), y = be.allocate(DType.F32, m * nn);
      double ms = median(be, warm, reps, () -> be.gemm(false, true, 1, m, nn, k, 1, x, 0, 0, k, w, 0, 0, k, 0, y, 0, 0, nn));
      result("gemm_fp32_" + m + "x" + nn + "x" + k, String.format("%.2f", 2.0 * m * nn * k / ms / 1e9), "TFLOP/s (x @ w^T)");
      x.close();
      w.close();
      y.close();
    }
  }

  static void bandwidth(Backend be, int warm, int reps) {
    int rows = SMALL ? 512 : 65536, cols = 1024, n = rows * cols;
    double mb = n * 4.0 / 1e6;  // one pass over one tensor, in MB
    Buffer x = random(be, n, 5), y = be.allocate(DType.F32, n), z = random(be, n, 6), w = random(be, n, 7);
    Buffer gamma = random(be, cols, 8), beta = random(be, cols, 9), mean = be.allocate(DType.F32, rows), rstd = be.allocate(DType.F32, rows);
    if (be instanceof CudaBackend cb) {
      double ms = median(be, warm, reps, () -> cb.deviceCopy(x, y, n));
      result("bw_copy", String.format("%.0f", 2 * mb / ms), "GB/s (cuMemcpyDtoD, read + write)");
    }
    bw(be, "bw_copy_kernel", 2 * mb, warm, reps, () -> be.copyStrided(x, 0, new int[] {1}, y, 0, new int[] {1}, new int[] {n}, false));
    bw(be, "bw_softmax", 2 * mb, warm, reps, () -> be.softmax(x, y, rows, cols, false));
    bw(be, "bw_softmax_bwd", 3 * mb, warm, reps, () -> be.softmaxBackward(x, z, y, rows, cols, false));
    bw(be, "bw_layernorm", 2 * mb, warm, reps, () -> be.layerNorm(x, gamma, beta, y, mean, rstd, rows, cols, 1e-5));
    bw(be, "bw_gelu", 2 * mb, warm, reps, () -> be.unary(UnaryOp.GELU, 0, x, y, n));
    bw(be, "bw_add", 3 * mb, warm, reps, () -> be.binary(BinaryOp.ADD, x, new int[] {cols, 1}, z, new int[] {cols, 1}, y, new int[] {rows, cols}));
    bw(be, "bw_adam", 7 * mb, warm, reps, () -> be.adamStep(y, x, z, w, n, 1e-9, 0.9, 0.999, 1e-8, 0, 1, 1));
    for (Buffer b : new Buffer[] {x, y, z, w, gamma, beta, mean, rstd}) b.close();
  }

  private static void bw(Backend be, String key, double mb, int warm, int reps, Runnable work) {
    double ms = median(be, warm, reps, work);
    result(key, String.format("%.0f", mb / ms), "GB/s (" + String.format("%.3f", ms) + " ms)");
  }

  static void attention(Backend be, int warm, int reps) {
    int b = SMALL ? 8 : 256, h = 8, d = 64;
    for (int t : new int[] {4, 8, 16, 32}) {
      int nq = b * h * t * d;
      Buffer q = random(be, nq, 10), k = random(be, nq, 11), v = random(be, nq, 12), dout = random(be, nq, 13);
      Buffer out = be.allocate(DType.F32, nq), lse = be.allocate(DType.F32, b * h * t);
      Buffer dq = be.allocate(DType.F32, nq), dk = be.allocate(DType.F32, nq), dv = be.allocate(DType.F32, nq);
      double scale = 1 / Math.sqrt(d);
      double fwd = median(be, warm, reps, () -> be.attention(q, k, v, null, out, lse, b, h, t, t, d, scale, true));
      double both = median(be, warm, reps, () -> {
        be.attention(q, k, v, null, out, lse, b, h, t, t, d, scale, true);
        be.attentionBackward(q, k, v, null, out, lse, dout, dq, dk, dv, b, h, t, t, d, scale, true);
      });
      result("attn_fwd_T" + t, String.format("%.4f", fwd), "ms (B=" + b + " H=" + h + " D=" + d + ", causal)");
      result("attn_fwdbwd_T" + t, String.format("%.4f", both), "ms (B=" + b + " H=" + h + " D=" + d + ", causal)");
      for (Buffer x : new Buffer[] {q, k, v, dout, out, lse, dq, dk, dv}) x.close();
    }
  }
}
