package org.cartengine.engine.gradcheck;

import static org.cartengine.engine.gradcheck.GradCheck.input;
import static org.cartengine.engine.gradcheck.Values.normal;
import static org.cartengine.engine.gradcheck.Values.numel;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.ops.Elementwise;
import org.cartengine.engine.ops.Views;

/**
 * For any shape: the shape ops (views and copies) route gradients back to the right elements:
 * concat, split, slice, reshape, transpose, permute, expand, unsqueeze/squeeze, contiguous.
 */
class GradCheckViewsTest {

  @Property(tries = 30)
  void concatAlongAnyAxis(@ForAll(supplier = Shapes.Small.class) int[] shape, @ForAll @IntRange(min = 2, max = 3) int parts, @ForAll long seed) {
    Random rng = new Random(seed);
    int axis = rng.nextInt(shape.length);
    GradCheck.Input[] ins = new GradCheck.Input[parts];
    for (int p = 0; p < parts; p++) {
      int[] s = shape.clone();
      s[axis] = 1 + rng.nextInt(3);
      ins[p] = input(normal(rng, numel(s)), s);
    }
    GradCheck.check("concat axis " + axis, seed, in -> Views.concat(List.of(in), axis), ins);
    // The same leaf twice, and a transposed view, among the parts.
    if (shape.length >= 2 && axis < shape.length - 2) {
      GradCheck.check("concat(x, x.t().t())", seed, in -> Views.concat(List.of(in[0], in[0].t().t()), axis), ins[0]);
    }
  }

  @Property(tries = 30)
  void splitEveryPiece(@ForAll(supplier = Shapes.Small.class) int[] shape, @ForAll long seed) {
    Random rng = new Random(seed);
    int axis = rng.nextInt(shape.length);
    // Random piece sizes adding up to the axis, empty pieces allowed.
    List<Integer> sizes = new ArrayList<>();
    int left = shape[axis];
    while (left > 0) {
      int s = Math.min(left, rng.nextInt(3));
      sizes.add(s);
      left -= s;
    }
    int[] sz = sizes.stream().mapToInt(Integer::intValue).toArray();
    double[] x = normal(rng, numel(shape));
    for (int p = 0; p < sz.length; p++) {
      if (sz[p] == 0) continue;
      int piece = p;
      GradCheck.check("split piece " + p + " of " + java.util.Arrays.toString(sz), seed, in -> Views.split(in[0], axis, sz).get(piece), input(x, shape));
    }
    // All pieces at once, weighted differently, so each piece's gradient lands in its own range.
    GradCheck.check("split, pieces recombined", seed, in -> {
      List<Tensor> ps = Views.split(in[0], axis, sz);
      List<Tensor> scaled = new ArrayList<>();
      for (int p = 0; p < ps.size(); p++) scaled.add(Elementwise.mulScalar(ps.get(p), p + 1));
      return Views.concat(scaled, axis);
    }, input(x, shape));
  }

  @Property(tries = 30)
  void sliceAnyRange(@ForAll(supplier = Shapes.Small.class) int[] shape, @ForAll long seed) {
    Random rng = new Random(seed);
    int axis = rng.nextInt(shape.length);
    int start = rng.nextInt(shape[axis]);
    int end = start + 1 + rng.nextInt(shape[axis] - start);
    GradCheck.check("slice axis " + axis + " [" + start + ", " + end + ")", seed, in -> in[0].slice(axis, start, end), input(normal(rng, numel(shape)), shape));
    // A slice of a slice, then an op that reads it: offsets compose.
    GradCheck.check("exp(slice(slice))", seed, in -> in[0].slice(axis, start, end).slice(axis, 0, end - start).exp(), input(normal(rng, numel(shape)), shape));
  }

  @Property(tries = 30)
  void reshapeContiguousAndStrided(@ForAll(supplier = Shapes.Small.class) int[] shape, @ForAll long seed) {
    Random rng = new Random(seed);
    int n = numel(shape);
    double[] x = normal(rng, n);
    GradCheck.check("reshape to [-1]", seed, in -> in[0].reshape(-1), input(x, shape));
    GradCheck.check("reshape to [n, 1]", seed, in -> in[0].reshape(n, 1), input(x, shape));
    if (shape.length >= 2) {
      // reshape of a transposed view must copy in the transposed order.
      GradCheck.check("reshape of x.t()", seed, in -> in[0].t().reshape(-1), input(x, shape));
      GradCheck.check("reshape of x.t() to [1, n]", seed, in -> in[0].t().reshape(1, -1), input(x, shape));
    }
  }

  @Property(tries = 30)
  void transposeAndPermute(@ForAll(supplier = Shapes.Small.class) int[] shape, @ForAll long seed) {
    Random rng = new Random(seed);
    int rank = shape.length;
    int a = rng.nextInt(rank), b = rng.nextInt(rank);
    int[] perm = new int[rank];
    for (int i = 0; i < rank; i++) perm[i] = i;
    for (int i = rank - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    double[] x = normal(rng, numel(shape));
    GradCheck.check("transpose(" + a + ", " + b + ")", seed, in -> in[0].transpose(a, b), input(x, shape));
    GradCheck.check("permute " + java.util.Arrays.toString(perm), seed, in -> in[0].permute(perm), input(x, shape));
    // A permuted view read by an op that makes it contiguous, and by one that reads it through strides.
    GradCheck.check("contiguous(permute)", seed, in -> in[0].permute(perm).contiguous(), input(x, shape));
    GradCheck.check("tanh(permute)", seed, in -> in[0].permute(perm).tanh(), input(x, shape));
    GradCheck.check("mul(permute, permute)", seed, in -> Elementwise.mul(in[0].permute(perm), in[0].permute(perm)), input(x, shape));
  }

  @Property(tries = 30)
  void expandSizeOneAxes(@ForAll(supplier = Shapes.Small.class) int[] target, @ForAll long seed) {
    Random rng = new Random(seed);
    // Some axes of the source are 1, plus possibly fewer leading axes.
    int drop = rng.nextInt(target.length);
    int[] src = new int[target.length - drop];
    for (int i = 0; i < src.length; i++) src[i] = rng.nextBoolean() ? 1 : target[i + drop];
    GradCheck.check("expand " + java.util.Arrays.toString(src) + " to " + java.util.Arrays.toString(target), seed,
        in -> in[0].expand(target), input(normal(rng, numel(src)), src));
    GradCheck.check("sigmoid(expand)", seed, in -> in[0].expand(target).sigmoid(), input(normal(rng, numel(src)), src));
  }

  @Property(tries = 30)
  void unsqueezeAndSqueeze(@ForAll(supplier = Shapes.Small.class) int[] shape, @ForAll long seed) {
    Random rng = new Random(seed);
    int axis = rng.nextInt(shape.length + 1);
    double[] x = normal(rng, numel(shape));
    GradCheck.check("unsqueeze(" + axis + ")", seed, in -> in[0].unsqueeze(axis), input(x, shape));
    GradCheck.check("squeeze(unsqueeze(" + axis + "))", seed, in -> in[0].unsqueeze(axis).squeeze(axis), input(x, shape));
    GradCheck.check("unsqueeze(-1) of x.t()", seed, in -> shape.length >= 2 ? in[0].t().unsqueeze(-1) : in[0].unsqueeze(-1), input(x, shape));
  }

  @Property(tries = 20)
  void contiguousOfViews(@ForAll @IntRange(min = 1, max = 4) int r, @ForAll @IntRange(min = 2, max = 4) int c, @ForAll long seed) {
    Random rng = new Random(seed);
    double[] x = normal(rng, r * c);
    GradCheck.check("contiguous (already)", seed, in -> Views.contiguous(in[0]), input(x, r, c));
    GradCheck.check("contiguous(x.t())", seed, in -> Views.contiguous(in[0].t()), input(x, r, c));
    GradCheck.check("contiguous(x[:, 1:])", seed, in -> Views.contiguous(in[0].slice(1, 1, c)), input(x, r, c));
  }
}
