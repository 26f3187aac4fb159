package org.cartengine.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicReference;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.autograd.Autograd;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.reference.ReferenceBackend;
import org.cartengine.engine.ops.Elementwise;
import org.cartengine.engine.ops.Linalg;
import org.junit.jupiter.api.Test;

/** The rules of the autograd core: where backward may start, noGrad, detach, and += accumulation. */
class AutogradSemanticsTest {
  private static final Backend REF = new ReferenceBackend();

  private static Tensor x() {
    return Tensor.of(REF, DType.F64, new double[] {1, -2, 3, 0.5, 4, -1}, 2, 3).requiresGrad(true);
  }

  private static void noGrad(Runnable r) {
    try (var scope = Autograd.noGrad()) {
      r.run();
    }
  }

  @Test
  void backwardOnANonScalarWithoutAGradientThrows() {
    Tensor y = Elementwise.exp(x());
    IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
    assertTrue(e.getMessage().contains("backward") && e.getMessage().contains("[2, 3]") && e.getMessage().contains("gradient"), e.getMessage());
  }

  @Test
  void backwardWithAGradientOfTheWrongShapeThrows() {
    Tensor y = Elementwise.exp(x());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> y.backward(Tensor.zeros(REF, DType.F64, 3, 2)));
    assertTrue(e.getMessage().contains("[3, 2]") && e.getMessage().contains("[2, 3]"), e.getMessage());
  }

  @Test
  void backwardOnATensorWithoutHistoryThrows() {
    Tensor c = Tensor.of(REF, DType.F64, new double[] {1, 2}, 2).sum();
    IllegalStateException e = assertThrows(IllegalStateException.class, c::backward);
    assertTrue(e.getMessage().contains("does not require grad"), e.getMessage());
  }

  @Test
  void noGradRecordsNoHistory() {
    Tensor x = x();
    AtomicReference<Tensor> inside = new AtomicReference<>();
    noGrad(() -> {
      Tensor y = Linalg.matmul(Elementwise.tanh(x), x.t()).sum();
      assertFalse(y.requiresGrad());
      assertNull(y.node());
      noGrad(() -> assertFalse(Elementwise.exp(x).requiresGrad(), "nested scope"));
      assertFalse(Elementwise.exp(x).requiresGrad(), "still inside the outer scope after a nested one closed");
      inside.set(y);
    });
    assertThrows(IllegalStateException.class, inside.get()::backward);
    assertTrue(Elementwise.exp(x).requiresGrad(), "recording resumes after the scope");
  }

  @Test
  void noGradIsPerThread() throws InterruptedException {
    Tensor x = x();
    boolean[] recorded = new boolean[1];
    noGrad(() -> {
      Thread other = new Thread(() -> recorded[0] = Elementwise.exp(x).requiresGrad());
      other.start();
      try {
        other.join();
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    });
    assertTrue(recorded[0], "a noGrad scope on one thread must not switch off recording on another");
  }

  @Test
  void noGradScopeEndsWhenItsBodyThrows() {
    assertThrows(IllegalStateException.class, () -> noGrad(() -> {
      throw new IllegalStateException("boom");
    }));
    assertTrue(Autograd.enabled());
  }

  @Test
  void detachStopsGradients() {
    Tensor x = x();
    Tensor d = x.detach();
    assertFalse(d.requiresGrad());
    assertArrayEquals(x.toDoubleArray(), d.toDoubleArray(), 0.0);
    // d/dx sum(x * sg[x]) = sg[x] = x, not 2x.
    Elementwise.mul(x, d).sum().backward();
    assertArrayEquals(x.toDoubleArray(), x.grad().toDoubleArray(), 0.0);
    // Nothing flows through a detached branch alone.
    Tensor z = x();
    Tensor branch = Elementwise.exp(z).detach();
    assertFalse(Elementwise.mul(branch, branch).requiresGrad());
  }

  @Test
  void gradientsAccumulateAcrossBackwardCallsOnFreshGraphs() {
    Tensor x = x();
    double[] v = x.toDoubleArray();
    Elementwise.mul(x, x).sum().backward(); // 2x
    Elementwise.mulScalar(x, 3).sum().backward(); // 3
    double[] g = x.grad().toDoubleArray();
    for (int i = 0; i < v.length; i++) assertEquals(2 * v[i] + 3, g[i], 1e-15);
    x.zeroGrad();
    assertNull(x.grad());
    Elementwise.mulScalar(x, 3).sum().backward();
    assertArrayEquals(new double[] {3, 3, 3, 3, 3, 3}, x.grad().toDoubleArray(), 0.0);
  }

  @Test
  void fanOutAddsTheBranches() {
    Tensor x = x();
    // y = exp(x) + x * 2 + x.t().t(): three paths from one leaf.
    Tensor y = Elementwise.add(Elementwise.add(Elementwise.exp(x), Elementwise.mulScalar(x, 2)), x.t().t());
    y.sum().backward();
    double[] v = x.toDoubleArray(), g = x.grad().toDoubleArray();
    for (int i = 0; i < v.length; i++) assertEquals(Math.exp(v[i]) + 3, g[i], 1e-12);
  }

  @Test
  void theUpstreamGradientIsNotAliased() {
    Tensor x = x();
    Tensor up = Tensor.of(REF, DType.F64, new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
    x.t().t().backward(up);
    REF.fill(up.buffer(), 0, 6, 0);
    assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, x.grad().toDoubleArray(), 0.0, "x.grad must be a copy, not the caller's tensor");
  }

  @Test
  void gradientsCarryNoHistory() {
    Tensor x = x();
    Linalg.matmul(Elementwise.tanh(x), x.t()).sum().backward();
    assertFalse(x.grad().requiresGrad());
    assertNull(x.grad().node());
  }

  @Test
  void backwardThroughAFreedGraphThrowsInsteadOfDroppingGradients() {
    Tensor x = x();
    Tensor y = Elementwise.exp(x);
    Tensor loss = y.sum();
    loss.backward();
    IllegalStateException again = assertThrows(IllegalStateException.class, loss::backward);
    assertTrue(again.getMessage().contains("freed"), again.getMessage());
    // Reusing an intermediate of the freed graph in a new one must not make it a silent leaf that
    // keeps the new graph's gradient from reaching x.
    IllegalStateException reuse = assertThrows(IllegalStateException.class, () -> Elementwise.mulScalar(y, 2).sum().backward());
    assertTrue(reuse.getMessage().contains("exp") && reuse.getMessage().contains("[2, 3]"), reuse.getMessage());
    // Its detached value is fine as a constant.
    Tensor z = x();
    Elementwise.mul(z, y.detach()).sum().backward();
    assertArrayEquals(y.toDoubleArray(), z.grad().toDoubleArray(), 0.0);
  }

  @Test
  void deepGraphsDoNotOverflowTheStack() throws InterruptedException {
    // 10k chained ops on a thread with a 256 KiB stack: a recursive graph walk would overflow it.
    Throwable[] failure = new Throwable[1];
    Thread t = new Thread(null, () -> {
      try {
        Tensor x = Tensor.of(REF, DType.F64, new double[] {0.5}, 1).requiresGrad(true);
        Tensor y = x;
        for (int i = 0; i < 10_000; i++) y = Elementwise.mulScalar(y, 1.0);
        y.sum().backward();
        assertEquals(1.0, x.grad().item(), 0.0);
      } catch (Throwable e) {
        failure[0] = e;
      }
    }, "small-stack", 256 * 1024);
    t.start();
    t.join();
    if (failure[0] != null) throw new AssertionError(failure[0]);
  }
}
