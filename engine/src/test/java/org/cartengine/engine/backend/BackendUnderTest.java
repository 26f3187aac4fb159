package org.cartengine.engine.backend;

import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;

/**
 * A device backend opened once for a test class, or the reason it could not be (printed, and given to the
 * assumptions that skip its tests). Its parity with the reference is engine/src/test/.../backend/BackendParityTest's, for every backend.
 */
public final class BackendUnderTest<B extends Backend> {
  public final B backend;
  public final String unavailable;
  private final String name;

  public BackendUnderTest(String name, Supplier<B> open) {
    this.name = name;
    B b = null;
    String why = null;
    try {
      b = open.get();
      System.out.println("[" + name + "] " + b.device());
    } catch (RuntimeException | LinkageError e) {
      why = e.toString();
      System.out.println("[" + name + "] SKIPPED: " + name + " backend unavailable: " + why);
    }
    backend = b;
    unavailable = why;
  }

  public void assumeAvailable() {
    Assumptions.assumeTrue(backend != null, () -> name + " backend unavailable: " + unavailable);
  }

  public void close() {
    if (backend != null) backend.close();
  }
}
