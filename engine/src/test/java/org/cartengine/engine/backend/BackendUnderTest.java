package org.cartengine.engine.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.cartengine.engine.DType;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;

/**
 * A device backend opened once for a test class, or the reason it could not be (printed, and given to the
 * assumptions that skip its tests), plus its BackendCheck parity checks as dynamic tests.
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

  /** BackendCheck's checks of every Backend method against the reference, for one dtype. */
  public Stream<DynamicTest> parity(DType dt, long seed) {
    assumeAvailable();
    Assumptions.assumeTrue(backend.supports(dt), () -> backend.device() + " does not support " + dt);
    List<DynamicTest> tests = new ArrayList<>();
    for (BackendCheck.Check c : new BackendCheck(backend, dt, seed).checks()) tests.add(DynamicTest.dynamicTest(dt + " " + c.name(), c.body()::run));
    return tests.stream();
  }

  public void close() {
    if (backend != null) backend.close();
  }
}
