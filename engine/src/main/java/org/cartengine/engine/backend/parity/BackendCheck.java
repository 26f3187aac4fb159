package org.cartengine.engine.backend.parity;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;
import org.cartengine.engine.backend.simd.SimdBackend;

/**
 * The one parity suite: every {@link Backend} method, forward and backward, of a backend under test against
 * the reference backend, on random inputs with ragged sizes (1, 7, 33, 65, 130: no multiple of a vector width),
 * offsets, strides, broadcasts, masks and ties, in each dtype the backend supports, under one tolerance rule
 * ({@link Parity#close}). It is main code, not a test, so that the GPU check runs the same list where there is no
 * JUnit (bench/gpu-check.sh); engine/src/test/.../backend/BackendParityTest runs it for every name in {@link #backendNames()}.
 */
public final class BackendCheck {
  /** The SIMD backend's scalar loops, which the provider never picks but the suite keeps covered. */
  public static final String SIMD_SCALAR = "simd-scalar";

  /** One named parity check. */
  public record Check(String name, Runnable body) {}

  private record Def(String name, Consumer<Parity> body) {}

  private final Backend dut;
  private final DType dt;
  private final long seed;
  private boolean compare = true;

  public BackendCheck(Backend dut, DType dt, long seed) {
    this.dut = dut;
    this.dt = dt;
    this.seed = seed;
  }

  /**
   * A dry run: every check makes the same calls but compares nothing, for backends that record or validate
   * launches without computing (the PTX entry-point test).
   */
  public BackendCheck withoutComparisons() {
    compare = false;
    return this;
  }

  /** Every backend the suite runs on: the provider's names, slowest first, and the SIMD backend's scalar path. */
  public static List<String> backendNames() {
    List<String> names = new ArrayList<>(Backends.names());
    java.util.Collections.reverse(names);
    int simd = names.indexOf("simd");
    names.add(simd < 0 ? names.size() : simd + 1, SIMD_SCALAR);
    return names;
  }

  /** Opens a backend by one of {@link #backendNames()}, or throws with the reason it is unavailable here. */
  public static Backend open(String name) {
    return name.equals(SIMD_SCALAR) ? new SimdBackend(false, 0) : Backends.create(name);
  }

  private List<Def> definitions() {
    List<Def> c = new ArrayList<>();
    c.add(new Def("write/read/fill with offsets", MemoryChecks::writeReadFill));
    c.add(new Def("cast", MemoryChecks::cast));
    c.add(new Def("cast and fill, ragged lengths", MemoryChecks::castAndFill));
    c.add(new Def("copyStrided (permute, slice, broadcast, accumulate, rank 9)", MemoryChecks::copyStrided));
    c.add(new Def("copyStrided permutes, slices, broadcasts and accumulates, random ranks", MemoryChecks::copyStridedRandom));
    c.add(new Def("axpy, sumSquares", MemoryChecks::axpySumSquares));
    c.add(new Def("axpy and sumSquares, ragged lengths", MemoryChecks::axpySumSquaresRagged));
    for (String v : GemmChecks.variants(dut, dt)) c.add(new Def("gemm " + v, p -> GemmChecks.views(p, v)));
    c.add(new Def("gemm every transpose, batch, alpha and beta", GemmChecks::transposes));
    c.add(new Def("gemm thin operands (read in place, first k block stored)", GemmChecks::thinOperands));
    c.add(new Def("unary and unaryBackward", ElementwiseChecks::unary));
    c.add(new Def("unary and unaryBackward, ragged lengths", ElementwiseChecks::unaryRagged));
    c.add(new Def("binary and binaryBackward (broadcast)", ElementwiseChecks::binary));
    c.add(new Def("binary and binaryBackward, broadcasting and column-major strides", ElementwiseChecks::binaryStrided));
    c.add(new Def("where, sigmoidGate (+backward)", ElementwiseChecks::whereGate));
    c.add(new Def("where, ragged lengths", ElementwiseChecks::whereRagged));
    c.add(new Def("sigmoidGate (+backward, either gradient null), ragged lengths", ElementwiseChecks::sigmoidGateRagged));
    c.add(new Def("dropout (mask bit-exact)", ElementwiseChecks::dropout));
    c.add(new Def("dropout masks bit-identical, ragged lengths", ElementwiseChecks::dropoutRagged));
    c.add(new Def("adamStep", ElementwiseChecks::adam));
    c.add(new Def("adamStep, ragged lengths, weight decay and gradient scale", ElementwiseChecks::adamRagged));
    c.add(new Def("reduce sum/max+argmax, maxBackward", RowChecks::reduce));
    c.add(new Def("reduce sum/max+argmax, maxBackward, ragged shapes", RowChecks::reduceRagged));
    c.add(new Def("softmax, log-softmax (+backward)", RowChecks::softmax));
    c.add(new Def("softmax, log-softmax (+backward), ragged shapes", RowChecks::softmaxRagged));
    c.add(new Def("crossEntropy (smoothing, ignore) (+backward)", RowChecks::crossEntropy));
    c.add(new Def("crossEntropy (ignore index, smoothing) (+backward), ragged shapes", RowChecks::crossEntropyRagged));
    c.add(new Def("klDiv (+backward)", RowChecks::klDiv));
    c.add(new Def("klDiv (+backward), ragged shapes", RowChecks::klDivRagged));
    c.add(new Def("layerNorm (+backward)", RowChecks::layerNorm));
    c.add(new Def("layerNorm (+backward), ragged shapes", RowChecks::layerNormRagged));
    c.add(new Def("gather, scatterAdd (repeated indices)", IndexChecks::embedding));
    c.add(new Def("gather, scatterAdd (repeated indices), ragged shapes", IndexChecks::embeddingRagged));
    c.add(new Def("vqNearest (ties: lowest index)", IndexChecks::vq));
    c.add(new Def("vqNearest nearest code and distance, ragged shapes, duplicates", IndexChecks::vqRagged));
    c.add(new Def("attention forward and backward (masks, tiles, wide heads)", AttentionChecks::attention));
    c.add(new Def("attention forward and backward, causal and key-padding masks, ragged shapes", AttentionChecks::attentionRagged));
    c.add(new Def("decodeAttention (rows over their group's memory, padded groups), search and ragged shapes", AttentionChecks::decodeAttention));
    return c;
  }

  /** The checks for this backend and dtype; each draws from its own seeded generator and frees what it allocated. */
  public List<Check> checks() {
    List<Check> out = new ArrayList<>();
    for (Def d : definitions()) {
      long s = seed * 1_000_003L + d.name().hashCode();
      out.add(new Check(d.name(), () -> {
        Parity p = new Parity(dut.name() + " " + dt, dut, dt, s, compare);
        try {
          d.body().accept(p);
        } finally {
          p.release();
        }
      }));
    }
    return out;
  }

  /** Runs every check; returns the failures' messages (empty when all pass). */
  public List<String> runAll(Consumer<String> log) {
    List<String> failures = new ArrayList<>();
    for (Check ch : checks()) {
      long t0 = System.nanoTime();
      try {
        ch.body().run();
        log.accept(String.format("  ok    %-78s %6.0f ms", ch.name(), (System.nanoTime() - t0) / 1e6));
      } catch (AssertionError | RuntimeException e) {
        failures.add(ch.name() + ": " + e);
        log.accept(String.format("  FAIL  %-78s %s", ch.name(), e));
      }
    }
    return failures;
  }
}
