package org.cartengine.engine.backend.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * F32 GEMM, {@code C = alpha * op(A) * op(B) + beta * C}, in the BLIS/GotoBLAS structure:
 *
 * <pre>
 *   for jc in n by NC:              B block  [KC x NC]  packed once, shared by all threads (L3)
 *     for pc in k by KC:
 *       for ic in m by MC:          A block  [MC x KC]  packed per thread (L2)     <- parallel
 *         for jg in nc by G panels: B panels [KC x G*NR] (L2)
 *           for ir in mc by MR:     A panel  [MR x KC]  (L1)
 *             for jr in G panels:   micro-kernel: MR x NR tile of C in registers
 * </pre>
 *
 * Packing makes every transpose combination the same kernel: op(A) and op(B) are read through
 * their strides once per block and laid out panel by panel, zero-padded to whole tiles, with alpha
 * folded into A. The vector micro-kernel keeps a 4 x 2-vector tile of C (4 x 16 floats with AVX2) in
 * 8 independent FMA accumulators; beta is applied to C before the first k block and every k block
 * then adds into C.
 *
 * <p>Measured on a 2-core AMD EPYC (Zen 3, AVX2), one thread, CPU time, 1024^3: the micro-kernel alone
 * runs at 80-88 GFLOP/s (the FMA peak is about 90); the whole GEMM at 68 on JDK 17 and 72 on JDK 25,
 * against 86 for OpenBLAS's SGEMM on the same core (bench/README.md).
 */
final class GemmF32 {
  private static final VectorSpecies<Float> S = Vec.F;
  private static final int L = Vec.L;

  /** Vector micro-tile: MR rows by two vectors. */
  static final int MR = 4, NR = 2 * L;
  /** Scalar micro-tile (cart.simd=off). */
  static final int SMR = 4, SNR = 4;
  /** Block sizes: a KC x NR panel of B stays in L1, an MC x KC block of A in L2, a KC x NC block of B in L3. */
  static final int KC = 256, MC = 128, NC = 3072;
  /** Up to this many B panels (NR columns each) the A operand is read in place rather than packed. */
  static final int DIRECT_PANELS = 16;
  /**
   * Up to this many rows of op(A), a row-major B whose width is a whole number of panels is read in place rather than
   * packed: each packed B panel would meet at most DIRECT_B_ROWS / MR panels of A, too few to repay copying all of B
   * (the pretrained encoder's GEMMs for a few short queries spent 20% of a server's time packing B).
   */
  static final int DIRECT_B_ROWS = 32;

  private static final ThreadLocal<float[]> PACK_A = ThreadLocal.withInitial(() -> new float[0]);
  private static final ThreadLocal<float[]> PACK_B = ThreadLocal.withInitial(() -> new float[0]);

  private final boolean simd;
  private final Parallel par;
  private final int mr, nr, kcMax, mcMax, ncMax;

  GemmF32(boolean simd, Parallel par) {
    this(simd, par, KC, MC, NC);
  }

  /** With other block sizes (tuning experiments). */
  GemmF32(boolean simd, Parallel par, int kc, int mc, int nc) {
    this.simd = simd;
    this.par = par;
    this.mr = simd ? MR : SMR;
    this.nr = simd ? NR : SNR;
    this.kcMax = kc;
    this.mcMax = mc;
    this.ncMax = nc;
  }

  /** One GEMM problem: the operands as the Backend interface describes them. */
  record Problem(boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc) {}

  void gemm(boolean transA, boolean transB, int batch, int m, int n, int k, float alpha,
      float[] a, int aOff, int strideA, int lda, float[] b, int bOff, int strideB, int ldb,
      float beta, float[] c, int cOff, int strideC, int ldc) {
    Problem pr = new Problem(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    long work = 2L * m * n * Math.max(k, 1);
    if (batch > 1 && (batch >= par.threads || work < 4 * Parallel.MIN_WORK)) {
      // Many problems: one thread per problem, each run serially.
      par.forRange(batch, work, (lo, hi) -> {
        for (int p = lo; p < hi; p++) one(pr, aOff + p * strideA, bOff + p * strideB, cOff + p * strideC, false);
      });
    } else {
      for (int p = 0; p < batch; p++) one(pr, aOff + p * strideA, bOff + p * strideB, cOff + p * strideC, true);
    }
  }

  private void one(Problem pr, int ao, int bo, int co, boolean parallel) {
    int m = pr.m, n = pr.n, k = pr.k;
    boolean compute = pr.alpha != 0 && k != 0 && m != 0 && n != 0;
    // With beta = 0 the first k block stores into C instead of adding, so C needs no zeroing pass.
    if (!(compute && pr.beta == 0)) scaleC(pr, co);
    if (!compute) return;
    int mc = Math.min(mcMax / mr * mr, roundUp(m, mr));
    int icBlocks = (m + mc - 1) / mc;
    for (int jc = 0; jc < n; jc += ncMax) {
      int nc = Math.min(ncMax, n - jc);
      int panels = (nc + nr - 1) / nr;
      // Thin B (d_model-wide weights): each A panel meets few B panels, so packing A would copy it
      // for little reuse (measured at 12% of a training step); the kernel reads op(A) in place.
      boolean direct = simd && pr.alpha == 1f && panels <= DIRECT_PANELS;
      boolean directB = simd && !pr.transB && m <= DIRECT_B_ROWS && nc % nr == 0;
      for (int pc = 0; pc < k; pc += kcMax) {
        int kc = Math.min(kcMax, k - pc);
        boolean add = pc > 0 || pr.beta != 0;
        float[] bp = directB ? null : scratch(PACK_B, panels * kc * nr);
        int jcc = jc, pcc = pc;
        // Pack B (unless read in place); then split the C block into (A block x panel range) tasks, enough to feed every thread.
        Parallel p = parallel ? par : null;
        if (!directB && p != null) p.forRange(panels, (long) kc * nr, (lo, hi) -> packB(pr, bo, pcc, kc, jcc, nc, bp, lo, hi));
        else if (!directB) packB(pr, bo, pcc, kc, jcc, nc, bp, 0, panels);
        int split = p == null ? 1 : Math.max(1, Math.min(panels, (par.threads + icBlocks - 1) / icBlocks));
        int tasks = icBlocks * split;
        Parallel.Range body = (lo, hi) -> {
          float[] ap = scratch(PACK_A, (direct ? mr : mc) * kc);
          for (int t = lo; t < hi; t++) {
            int ib = t / split, js = t % split;
            int ic = ib * mc, mcc = Math.min(mc, m - ic);
            if (!direct) packA(pr, ao, ic, mcc, pcc, kc, ap);
            int j0 = (int) ((long) panels * js / split), j1 = (int) ((long) panels * (js + 1) / split);
            macro(pr, ao, bo, co, ic, mcc, jcc, nc, pcc, kc, ap, bp, j0, j1, direct, add);
          }
        };
        if (p != null) p.forRange(tasks, 2L * mc * kc * nc / split, body);
        else body.run(0, tasks);
      }
    }
  }

  private static int roundUp(int x, int r) {
    return (x + r - 1) / r * r;
  }

  private static float[] scratch(ThreadLocal<float[]> tl, int size) {
    float[] s = tl.get();
    if (s.length < size) {
      s = new float[size];
      tl.set(s);
    }
    return s;
  }

  /** C = beta * C over the m x n window (beta 0 overwrites, so NaN or garbage in C does not leak). */
  private static void scaleC(Problem pr, int co) {
    if (pr.beta == 1) return;
    for (int i = 0; i < pr.m; i++) {
      int row = co + i * pr.ldc;
      if (pr.beta == 0) java.util.Arrays.fill(pr.c, row, row + pr.n, 0f);
      else for (int j = 0; j < pr.n; j++) pr.c[row + j] *= pr.beta;
    }
  }

  /** Packs op(B)[pc:pc+kc, jc:jc+nc] panels [lo, hi): panel jp holds kc rows of nr columns, zero-padded. */
  private void packB(Problem pr, int bo, int pc, int kc, int jc, int nc, float[] bp, int lo, int hi) {
    float[] b = pr.b;
    int ldb = pr.ldb;
    for (int jp = lo; jp < hi; jp++) {
      int dst = jp * kc * nr;
      int j0 = jc + jp * nr, w = Math.min(nr, jc + nc - j0);
      if (!pr.transB) {
        if (simd && w == nr) {
          for (int p = 0; p < kc; p++) {
            int src = bo + (pc + p) * ldb + j0, d = dst + p * nr;
            FloatVector.fromArray(S, b, src).intoArray(bp, d);
            FloatVector.fromArray(S, b, src + L).intoArray(bp, d + L);
          }
        } else {
          for (int p = 0; p < kc; p++) {
            int src = bo + (pc + p) * ldb + j0, d = dst + p * nr;
            for (int j = 0; j < w; j++) bp[d + j] = b[src + j];
            for (int j = w; j < nr; j++) bp[d + j] = 0;
          }
        }
      } else {
        for (int j = 0; j < nr; j++) {
          if (j < w) {
            int src = bo + (j0 + j) * ldb + pc;
            for (int p = 0; p < kc; p++) bp[dst + p * nr + j] = b[src + p];
          } else {
            for (int p = 0; p < kc; p++) bp[dst + p * nr + j] = 0;
          }
        }
      }
    }
  }

  /** Packs alpha * op(A)[ic:ic+mc, pc:pc+kc] as panels of mr rows: element (i, p) of panel ip at ip*kc*mr + p*mr + i. */
  private void packA(Problem pr, int ao, int ic, int mc, int pc, int kc, float[] ap) {
    float[] a = pr.a;
    int lda = pr.lda;
    float alpha = pr.alpha;
    for (int ip = 0; ip * mr < mc; ip++) {
      int dst = ip * kc * mr, i0 = ic + ip * mr, h = Math.min(mr, ic + mc - i0);
      if (!pr.transA && h == 4 && mr == 4) {
        // Whole panel: read four rows side by side, write the panel sequentially.
        int r0 = ao + i0 * lda + pc, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda;
        for (int p = 0, d = dst; p < kc; p++, d += 4) {
          ap[d] = alpha * a[r0 + p];
          ap[d + 1] = alpha * a[r1 + p];
          ap[d + 2] = alpha * a[r2 + p];
          ap[d + 3] = alpha * a[r3 + p];
        }
      } else if (!pr.transA) {
        for (int i = 0; i < mr; i++) {
          if (i < h) {
            int src = ao + (i0 + i) * lda + pc;
            for (int p = 0; p < kc; p++) ap[dst + p * mr + i] = alpha * a[src + p];
          } else {
            for (int p = 0; p < kc; p++) ap[dst + p * mr + i] = 0;
          }
        }
      } else {
        for (int p = 0; p < kc; p++) {
          int src = ao + (pc + p) * lda + i0, d = dst + p * mr;
          for (int i = 0; i < h; i++) ap[d + i] = alpha * a[src + i];
          for (int i = h; i < mr; i++) ap[d + i] = 0;
        }
      }
    }
  }

  /**
   * C[ic.., jc..] (+)= A * Bp over B panels [j0, j1) and every A panel: micro-kernels, edges through a
   * tile buffer. A is the packed block ap, or with {@code direct} op(A) itself read in place (its edge
   * panel, fewer than mr rows, packed into ap). {@code add} false stores instead of adding.
   */
  private void macro(Problem pr, int ao, int bo, int co, int ic, int mc, int jc, int nc, int pc, int kc, float[] ap, float[] bp, int j0, int j1,
      boolean direct, boolean add) {
    // bp == null: B is read in place (row-major, panels whole), row p of panel jp at bo + (pc + p) * ldb + column.
    float[] b = bp != null ? bp : pr.b;
    int bs = bp != null ? nr : pr.ldb;
    float[] c = pr.c;
    int ldc = pr.ldc;
    float[] tile = null;
    // B panels in groups that stay in L2; within a group the A panel stays in L1 and the C tiles of
    // one A panel lie side by side in a row (walking down C instead, tiles ldc apart, lands every
    // tile in the same few L1 sets when ldc is a power of two: measured 15% slower at 1024).
    int group = Math.max(1, (128 * 1024) / (kc * nr * 4));
    for (int g0 = j0; g0 < j1; g0 += group)
    for (int ip = 0; ip * mr < mc; ip++) {
      int row = ic + ip * mr, h = Math.min(mr, ic + mc - row);
      float[] a = ap;
      int aOff = ip * kc * mr, rs = 1, cs = mr;
      if (direct && h == mr) {
        // op(A) row i, column p: A[i][p] (rows lda apart) or, transposed, A[p][i] (4 side by side).
        a = pr.a;
        aOff = pr.transA ? ao + pc * pr.lda + row : ao + row * pr.lda + pc;
        rs = pr.transA ? 1 : pr.lda;
        cs = pr.transA ? pr.lda : 1;
      } else if (direct) {
        packA(pr, ao, row, h, pc, kc, ap);
        aOff = 0;
      }
      for (int jp = g0; jp < Math.min(j1, g0 + group); jp++) {
        int col = jc + jp * nr, w = Math.min(nr, jc + nc - col);
        int bOff = bp != null ? jp * kc * nr : bo + pc * pr.ldb + col;
        // One call site for the micro-kernel: with a second one (for edge tiles) C2 inlines it twice
        // into this loop and the whole GEMM ran 30% slower on sizes with edges.
        boolean whole = h == mr && w == nr;
        if (!whole && tile == null) tile = new float[mr * nr];
        kernel(kc, a, aOff, rs, cs, b, bOff, bs, whole ? c : tile, whole ? co + row * ldc + col : 0, whole ? ldc : nr, whole && add);
        if (!whole) {
          for (int i = 0; i < h; i++) {
            int d = co + (row + i) * ldc + col;
            if (add) for (int j = 0; j < w; j++) c[d + j] += tile[i * nr + j];
            else for (int j = 0; j < w; j++) c[d + j] = tile[i * nr + j];
          }
        }
      }
    }
  }

  private void kernel(int kc, float[] a, int ao, int rs, int cs, float[] bp, int bo, int bs, float[] c, int co, int ldc, boolean add) {
    if (simd) kernel4x2v(kc, a, ao, rs, cs, bp, bo, bs, c, co, ldc, add);
    else kernel4x4(kc, a, ao, bp, bo, c, co, ldc, add);
  }

  /**
   * C[4 x 2L] += Ap[4 x kc] * Bp[kc x 2L]: 8 independent vector accumulators (enough to hide the FMA
   * latency on two FMA pipes), one broadcast of A per row and k. A 6-row tile, as BLIS uses, needs 15
   * of AVX2's 16 vector registers and C2 spills it: measured at half the speed of this one.
   *
   * <p>This method must stay a call, not be inlined into the macro loop: inlined, the whole GEMM ran
   * at 50 GFLOP/s, called at 63 (1024^3, one thread, JDK 17). C2 inlines hot methods of up to 325
   * bytecodes; the argument check keeps this one just above that.
   *
   * <p>Element (i, p) of the A panel is read at {@code ao + i*rs + p*cs}: (1, MR) for a packed panel,
   * (lda, 1) for rows of A read in place. Row p of the B panel starts at {@code bo + p*bs}: bs = NR for a packed panel,
   * ldb for B read in place. {@code add} false stores the tile instead of adding it to C.
   */
  static void kernel4x2v(int kc, float[] ap, int ao, int rs, int cs, float[] bp, int bo, int bs, float[] c, int co, int ldc, boolean add) {
    if (kc < 0 || ao < 0 || bo < 0 || co < 0 || rs < 1 || cs < 1 || bs < NR) throw new IllegalArgumentException("gemm micro-kernel: negative size, offset or stride");
    FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
    int a1 = ao + rs, a2 = a1 + rs, a3 = a2 + rs;
    for (int p = 0; p < kc; p++) {
      int ai = p * cs, bi = bo + p * bs;
      FloatVector b0 = FloatVector.fromArray(S, bp, bi);
      FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
      FloatVector a = FloatVector.broadcast(S, ap[ao + ai]);
      c00 = a.fma(b0, c00);
      c01 = a.fma(b1, c01);
      a = FloatVector.broadcast(S, ap[a1 + ai]);
      c10 = a.fma(b0, c10);
      c11 = a.fma(b1, c11);
      a = FloatVector.broadcast(S, ap[a2 + ai]);
      c20 = a.fma(b0, c20);
      c21 = a.fma(b1, c21);
      a = FloatVector.broadcast(S, ap[a3 + ai]);
      c30 = a.fma(b0, c30);
      c31 = a.fma(b1, c31);
    }
    // No vector crosses a call: C2 inlines a helper here only when its profile calls it hot, and a vector passed to a
    // helper it did not inline is boxed (two objects per vector per call). Which way it went depended on which
    // GEMMs ran while the kernel was profiled: the same training step ran at 1,300 or 400 samples/s from one JVM
    // to the next (2-core AMD EPYC, JDK 17; -XX:+LogCompilation showed "too big" for the helper in the slow runs).
    if (add) {
      c00 = c00.add(FloatVector.fromArray(S, c, co));
      c01 = c01.add(FloatVector.fromArray(S, c, co + L));
      c10 = c10.add(FloatVector.fromArray(S, c, co + ldc));
      c11 = c11.add(FloatVector.fromArray(S, c, co + ldc + L));
      c20 = c20.add(FloatVector.fromArray(S, c, co + 2 * ldc));
      c21 = c21.add(FloatVector.fromArray(S, c, co + 2 * ldc + L));
      c30 = c30.add(FloatVector.fromArray(S, c, co + 3 * ldc));
      c31 = c31.add(FloatVector.fromArray(S, c, co + 3 * ldc + L));
    }
    c00.intoArray(c, co);
    c01.intoArray(c, co + L);
    c10.intoArray(c, co + ldc);
    c11.intoArray(c, co + ldc + L);
    c20.intoArray(c, co + 2 * ldc);
    c21.intoArray(c, co + 2 * ldc + L);
    c30.intoArray(c, co + 3 * ldc);
    c31.intoArray(c, co + 3 * ldc + L);
  }

  /** The scalar path's micro-kernel: a 4 x 4 tile in 16 local accumulators. */
  static void kernel4x4(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
    if (!add) for (int i = 0; i < SMR; i++) java.util.Arrays.fill(c, co + i * ldc, co + i * ldc + SNR, 0f);
    float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
    float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
    for (int p = 0; p < kc; p++) {
      int ai = ao + p * SMR, bi = bo + p * SNR;
      float b0 = bp[bi], b1 = bp[bi + 1], b2 = bp[bi + 2], b3 = bp[bi + 3];
      float a = ap[ai];
      c00 += a * b0; c01 += a * b1; c02 += a * b2; c03 += a * b3;
      a = ap[ai + 1];
      c10 += a * b0; c11 += a * b1; c12 += a * b2; c13 += a * b3;
      a = ap[ai + 2];
      c20 += a * b0; c21 += a * b1; c22 += a * b2; c23 += a * b3;
      a = ap[ai + 3];
      c30 += a * b0; c31 += a * b1; c32 += a * b2; c33 += a * b3;
    }
    c[co] += c00; c[co + 1] += c01; c[co + 2] += c02; c[co + 3] += c03;
    co += ldc;
    c[co] += c10; c[co + 1] += c11; c[co + 2] += c12; c[co + 3] += c13;
    co += ldc;
    c[co] += c20; c[co + 1] += c21; c[co + 2] += c22; c[co + 3] += c23;
    co += ldc;
    c[co] += c30; c[co + 1] += c31; c[co + 2] += c32; c[co + 3] += c33;
  }
}
