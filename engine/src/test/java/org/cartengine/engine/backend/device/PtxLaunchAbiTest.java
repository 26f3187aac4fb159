package org.cartengine.engine.backend.device;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Buffer;
import org.cartengine.engine.backend.parity.BackendCheck;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The CUDA launch ABI, checked without a GPU: every kernel that DeviceBackend launches (all Backend methods,
 * F32 and F64, through a dry run of BackendCheck) exists in the packaged PTX of its family for both builds
 * CudaBackend may load (sm_75, and sm_80 on newer cards), takes exactly the arguments it is given (pointer,
 * 32-bit int, real of the program's width, struct of ints by value, read from the .entry's .param list), and
 * is launched with a valid block size (a multiple of 32, at most 256: the warp-shuffle reductions need whole
 * warps) and grid. OpenCL checks the same sources by running them; this covers what only nvcc sees.
 */
class PtxLaunchAbiTest {

  /** A DeviceBackend that computes nothing: it checks each launch against the PTX. */
  static final class AbiChecker extends DeviceBackend {
    final int cc;
    final List<String> problems = new ArrayList<>();
    final TreeSet<String> launched = new TreeSet<>();
    private final Map<String, String> ptx = new HashMap<>();

    AbiChecker(int cc) {
      this.cc = cc;
    }

    @Override
    protected Buffer newBuffer(DType dtype, int n) {
      return new Buffer(this, dtype, n) {
        @Override
        protected void release() {}
      };
    }

    @Override
    protected void launch(String family, String kernel, DType program, int blocks, int threads, Object... args) {
      launched.add(family + "/" + kernel);
      String where = kernel + " (" + family + ", sm_" + cc + ")";
      if (threads < 32 || threads > 256 || threads % 32 != 0) problems.add(where + ": block of " + threads + " threads");
      if (blocks < 1) problems.add(where + ": grid of " + blocks + " blocks");
      String text = ptx.computeIfAbsent(family + program, f -> new String(KernelSources.ptx(family, program, cc), StandardCharsets.US_ASCII));
      Matcher m = Pattern.compile("\\.entry " + Pattern.quote(kernel) + "\\(([^)]*)\\)").matcher(text);
      if (!m.find()) {
        problems.add(where + ": no such entry point in the PTX");
        return;
      }
      List<String> params = new ArrayList<>();
      for (String p : m.group(1).split(",")) if (!p.isBlank()) params.add(p.trim());
      if (params.size() != args.length) {
        problems.add(where + ": " + args.length + " arguments for " + params.size() + " parameters");
        return;
      }
      for (int i = 0; i < args.length; i++) {
        Object a = args[i];
        String p = params.get(i);
        String want;
        if (a == null || a instanceof Buffer) want = ".param .u64 ";
        else if (a instanceof Integer) want = ".param .u32 ";
        else if (a instanceof Double) want = program == DType.F64 ? ".param .f64 " : ".param .f32 ";
        else if (a instanceof int[] st) want = ".param .align 4 .b8 " + kernel + "_param_" + i + "[" + 4 * st.length + "]";
        else want = "?" + a.getClass();
        if (!p.startsWith(want)) problems.add(where + ": argument " + i + " is " + (a == null ? "null" : a instanceof Buffer ? "a Buffer" : a.getClass().getSimpleName()) + " but the parameter is '" + p + "'");
      }
    }

    @Override
    protected int maxBlocks() {
      return 16 * 132;
    }

    @Override
    protected boolean deviceHasF64() {
      return true;
    }

    @Override
    protected boolean hasTf32Gemm() {
      return cc >= 80;
    }

    @Override
    protected void writeRaw(Buffer dst, int dstOff, float[] src, int srcOff, int n) {}

    @Override
    protected void writeRaw(Buffer dst, int dstOff, double[] src, int srcOff, int n) {}

    @Override
    protected void writeRaw(Buffer dst, int dstOff, int[] src, int srcOff, int n) {}

    @Override
    protected void readRaw(Buffer src, int srcOff, float[] dst, int dstOff, int n) {}

    @Override
    protected void readRaw(Buffer src, int srcOff, double[] dst, int dstOff, int n) {}

    @Override
    protected void readRaw(Buffer src, int srcOff, int[] dst, int dstOff, int n) {}

    @Override
    public String name() {
      return "ptx-abi-check";
    }

    @Override
    public String device() {
      return "no device (PTX ABI check, sm_" + cc + ")";
    }

    @Override
    public boolean supports(DType dtype) {
      return true;
    }

    @Override
    public void synchronize() {}
  }

  @Test
  void everyLaunchMatchesAnEntryPointOfThePackagedPtx() {
    try {
      KernelSources.requirePtx();
    } catch (IllegalStateException e) {
      Assumptions.abort(e.getMessage());
    }
    for (int cc : new int[] {75, 90}) {
      AbiChecker checker = new AbiChecker(cc);
      for (DType dt : new DType[] {DType.F32, DType.F64}) {
        for (BackendCheck.Check c : new BackendCheck(checker, dt, 3).withoutComparisons().checks()) c.body().run();
      }
      System.out.println("[ptx] sm_" + cc + ": " + checker.launched.size() + " kernels launched, " + checker.problems.size() + " problems");
      assertTrue(checker.problems.isEmpty(), String.join("\n", new TreeSet<>(checker.problems)));
      assertTrue(checker.launched.size() > 40, "only " + checker.launched.size() + " kernels exercised: " + checker.launched);
    }
  }
}
