package org.cartengine.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.reference.ReferenceBackend;
import org.cartengine.engine.ops.Elementwise;
import org.junit.jupiter.api.Test;

/** Use after close is an error, never silent garbage; views share storage and keep it alive. */
class TensorLifetimeTest {
  private static final Backend REF = new ReferenceBackend();

  private static Tensor t() {
    return Tensor.of(REF, DType.F64, new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
  }

  @Test
  void readingAClosedTensorThrowsNamingItsShape() {
    Tensor x = t();
    x.close();
    IllegalStateException e = assertThrows(IllegalStateException.class, x::toDoubleArray);
    assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("close"), e.getMessage());
  }

  @Test
  void anOpOnAClosedTensorThrows() {
    Tensor x = t(), y = t();
    x.close();
    assertThrows(IllegalStateException.class, () -> Elementwise.add(x, y));
    assertThrows(IllegalStateException.class, () -> Elementwise.exp(x));
  }

  @Test
  void closeIsIdempotent() {
    Tensor x = t();
    Tensor view = x.reshape(3, 2);
    x.close();
    x.close();
    // A second close of the same view must not release the storage the other view still uses.
    assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, view.toDoubleArray(), 0.0);
  }

  @Test
  void aViewKeepsTheStorageAliveAfterItsBaseIsClosed() {
    Tensor x = t();
    Tensor v = x.t();
    x.close();
    assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, v.toDoubleArray(), 0.0);
    v.close();
    assertThrows(IllegalStateException.class, v::toDoubleArray);
  }

  @Test
  void aClosedViewThrowsEvenWhileAnotherViewKeepsTheStorage() {
    Tensor x = t();
    Tensor v = x.reshape(6);
    x.close();
    assertThrows(IllegalStateException.class, x::toDoubleArray, "x was closed; v keeping the buffer alive must not make x usable again");
    assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, v.toDoubleArray(), 0.0);
  }
}
