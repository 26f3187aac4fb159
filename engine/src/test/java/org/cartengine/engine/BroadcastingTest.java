package org.cartengine.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.cartengine.engine.DType;
import org.cartengine.engine.Shape;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.reference.ReferenceBackend;
import org.cartengine.engine.ops.Attention;
import org.cartengine.engine.ops.Elementwise;
import org.cartengine.engine.ops.LayerNorm;
import org.cartengine.engine.ops.Linalg;
import org.cartengine.engine.ops.Softmax;
import org.cartengine.engine.ops.Views;
import org.cartengine.engine.gradcheck.Shapes;
import org.junit.jupiter.api.Test;

/**
 * NumPy's broadcasting rules: valid pairs give NumPy's shape and values; invalid pairs and other
 * shape or dtype mismatches throw an IllegalArgumentException naming the op and the shapes.
 */
class BroadcastingTest {
  private static final Backend REF = new ReferenceBackend();

  private static Tensor t(int... shape) {
    double[] v = new double[Shape.numel(shape)];
    for (int i = 0; i < v.length; i++) v[i] = i + 1;
    return Tensor.of(REF, DType.F64, v, shape);
  }

  @Test
  void validPairsGiveNumpysShape() {
    // {a, b, numpy.broadcast_shapes(a, b)}
    int[][][] cases = {
        {{2, 3}, {3}, {2, 3}},
        {{2, 3}, {}, {2, 3}},
        {{}, {}, {}},
        {{1}, {5}, {5}},
        {{3, 1}, {1, 4}, {3, 4}},
        {{4, 1, 3}, {2, 1}, {4, 2, 3}},
        {{2, 1, 4}, {3, 1}, {2, 3, 4}},
        {{1, 1}, {1}, {1, 1}},
        {{5, 1, 1, 2}, {3, 1}, {5, 1, 3, 2}},
        {{0, 3}, {1, 3}, {0, 3}},
    };
    for (int[][] c : cases) {
      for (BiFunction<Tensor, Tensor, Tensor> op : List.<BiFunction<Tensor, Tensor, Tensor>>of(Elementwise::add, Elementwise::sub, Elementwise::mul, Elementwise::div)) {
        assertArrayEquals(c[2], op.apply(t(c[0]), t(c[1])).shape(), Arrays.toString(c[0]) + " with " + Arrays.toString(c[1]));
        assertArrayEquals(c[2], op.apply(t(c[1]), t(c[0])).shape(), Arrays.toString(c[1]) + " with " + Arrays.toString(c[0]));
      }
    }
  }

  /** Every output element is a[index mapped into a] op b[index mapped into b], size-1 and missing axes read at 0. */
  @Property(tries = 40)
  void broadcastValuesFollowTheIndexMapping(@ForAll(supplier = Shapes.BroadcastPairs.class) int[][] pair, @ForAll long seed) {
    Random rng = new Random(seed);
    int[] sa = pair[0], sb = pair[1];
    double[] a = new double[Shape.numel(sa)], b = new double[Shape.numel(sb)];
    for (int i = 0; i < a.length; i++) a[i] = rng.nextGaussian();
    for (int i = 0; i < b.length; i++) b[i] = rng.nextGaussian();
    Tensor y = Elementwise.sub(Tensor.of(REF, DType.F64, a, sa), Tensor.of(REF, DType.F64, b, sb));
    int rank = Math.max(sa.length, sb.length);
    int[] out = new int[rank];
    for (int i = 0; i < rank; i++) out[i] = Math.max(dimFromRight(sa, rank - 1 - i), dimFromRight(sb, rank - 1 - i));
    assertArrayEquals(out, y.shape());
    double[] v = y.toDoubleArray();
    for (int e = 0; e < v.length; e++) {
      int[] idx = unravel(e, out);
      assertEquals(a[flat(idx, sa)] - b[flat(idx, sb)], v[e], 0.0, "element " + Arrays.toString(idx));
    }
  }

  private static int dimFromRight(int[] s, int k) {
    return k < s.length ? s[s.length - 1 - k] : 1;
  }

  private static int[] unravel(int e, int[] shape) {
    int[] idx = new int[shape.length];
    for (int a = shape.length - 1; a >= 0; a--) {
      idx[a] = e % shape[a];
      e /= shape[a];
    }
    return idx;
  }

  /** Row-major offset in s of the right-aligned index, reading size-1 axes at 0. */
  private static int flat(int[] idx, int[] s) {
    int off = 0, lead = idx.length - s.length;
    for (int a = 0; a < s.length; a++) off = off * s[a] + (s[a] == 1 ? 0 : idx[a + lead]);
    return off;
  }

  private static void assertNamesOpAndShapes(Runnable r, String op, int[]... shapes) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run, op);
    String m = e.getMessage();
    assertTrue(m.contains(op), "message should name " + op + ": " + m);
    for (int[] s : shapes) assertTrue(m.contains(Shape.str(s)), "message should name shape " + Shape.str(s) + ": " + m);
  }

  @Test
  void invalidPairsThrowNamingTheOpAndBothShapes() {
    int[][][] bad = {{{2, 3}, {2}}, {{4, 3}, {3, 4}}, {{2, 1, 3}, {4, 2}}, {{0}, {2}}};
    for (int[][] c : bad) {
      assertNamesOpAndShapes(() -> Elementwise.add(t(c[0]), t(c[1])), "add", c[0], c[1]);
      assertNamesOpAndShapes(() -> Elementwise.sub(t(c[0]), t(c[1])), "sub", c[0], c[1]);
      assertNamesOpAndShapes(() -> Elementwise.mul(t(c[1]), t(c[0])), "mul", c[1], c[0]);
      assertNamesOpAndShapes(() -> Elementwise.div(t(c[0]), t(c[1])), "div", c[0], c[1]);
      assertNamesOpAndShapes(() -> Elementwise.maximum(t(c[0]), t(c[1])), "max", c[0], c[1]);
      assertNamesOpAndShapes(() -> Elementwise.where(t(c[0]), t(c[0]), t(c[1])), "where", c[0], c[1]);
    }
    assertNamesOpAndShapes(() -> t(2, 3).expand(4, 3), "expand", new int[] {2, 3}, new int[] {4, 3});
  }

  @Test
  void otherShapeMismatchesNameTheOpAndTheShapes() {
    assertNamesOpAndShapes(() -> Linalg.matmul(t(2, 3), t(4, 5)), "matmul", new int[] {2, 3}, new int[] {4, 5});
    assertNamesOpAndShapes(() -> Linalg.matmul(t(2, 2, 3), t(3, 3, 4)), "matmul", new int[] {2, 2, 3}, new int[] {3, 3, 4});
    assertNamesOpAndShapes(() -> Elementwise.sigmoidGate(t(2, 3), t(3)), "sigmoidGate", new int[] {2, 3}, new int[] {3});
    assertNamesOpAndShapes(() -> Views.concat(List.of(t(2, 3), t(2, 4)), 0), "concat", new int[] {2, 3}, new int[] {2, 4});
    assertNamesOpAndShapes(() -> LayerNorm.layerNorm(t(2, 3), t(4), t(4), 1e-5), "layerNorm", new int[] {2, 3}, new int[] {4});
    assertNamesOpAndShapes(() -> Softmax.klDiv(t(2, 3), t(3, 2)), "klDiv", new int[] {2, 3}, new int[] {3, 2});
    assertNamesOpAndShapes(() -> Softmax.crossEntropy(t(2, 3), Tensor.ofInts(REF, new int[] {0, 1, 2}, 3), -100, 0), "crossEntropy", new int[] {2, 3}, new int[] {3});
    assertNamesOpAndShapes(() -> Attention.attention(t(1, 1, 2, 4), t(1, 1, 3, 4), t(1, 1, 2, 4), null, false), "attention",
        new int[] {1, 1, 2, 4}, new int[] {1, 1, 3, 4});
    assertNamesOpAndShapes(() -> t(2, 3).reshape(4, 2), "reshape", new int[] {2, 3}, new int[] {4, 2});
    assertNamesOpAndShapes(() -> t(2, 3).unsqueeze(3), "unsqueeze", new int[] {2, 3});
    assertNamesOpAndShapes(() -> t(2, 3).unsqueeze(-4), "unsqueeze", new int[] {2, 3});
    assertNamesOpAndShapes(() -> t(2, 3).squeeze(0), "squeeze", new int[] {2, 3});
    assertNamesOpAndShapes(() -> t(2, 3).slice(1, 2, 4), "slice", new int[] {2, 3});
    assertNamesOpAndShapes(() -> t(2, 3).permute(0, 0), "permute");
  }

  @Test
  void dtypeMismatchesNameTheOpAndBothDtypes() {
    Tensor f32 = Tensor.of(REF, DType.F32, new double[] {1, 2}, 2), f64 = t(2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Elementwise.add(f32, f64));
    assertTrue(e.getMessage().contains("add") && e.getMessage().contains("F32") && e.getMessage().contains("F64"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Linalg.matmul(Tensor.of(REF, DType.F32, new double[4], 2, 2), t(2, 2)));
    assertTrue(e.getMessage().contains("matmul") && e.getMessage().contains("F32"), e.getMessage());
  }
}
