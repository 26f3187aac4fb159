package org.cartengine.engine.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.autograd.Autograd;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.reference.ReferenceBackend;
import org.cartengine.engine.backend.simd.SimdBackend;

/** A frozen Linear that keeps W^T for inference answers exactly what it answered before, on every CPU backend. */
class LinearInferenceLayoutTest {
  @Property(tries = 40)
  void transposedCopyGivesTheSameOutputs(@ForAll @IntRange(min = 1, max = 40) int rows, @ForAll @IntRange(min = 1, max = 70) int in,
      @ForAll @IntRange(min = 1, max = 70) int out, @ForAll long seed) {
    for (Backend be : new Backend[] {new ReferenceBackend(), new SimdBackend(true, 0)}) {
      Linear l = new Linear(be, DType.F32, new Rng(seed), "l", in, out, true);
      Random r = new Random(seed);
      float[] x = new float[rows * in];
      for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
      float[] b = new float[out];
      for (int i = 0; i < out; i++) b[i] = (float) r.nextGaussian();
      Module.assign(l.bias, Tensor.of(be, b, out));
      try (Autograd.Scope s = Autograd.noGrad(); Tensor xt = Tensor.of(be, x, rows, in)) {
        float[] before;
        try (Tensor y = l.infer(xt)) {
          before = y.toFloatArray();
        }
        l.keepTransposedForInference();
        try (Tensor y = l.infer(xt)) {
          assertArrayEquals(before, y.toFloatArray(), 1e-5f * in, be.name());
        }
      }
    }
  }
}
