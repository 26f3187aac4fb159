package org.cartengine.engine.backend;

import java.util.ArrayList;
import java.util.List;

/**
 * The provider's candidate names in its order of preference (cuda, opencl, simd, reference), read
 * from the package-private {@link Backends#candidates()} so that test suites follow it and pick up
 * every backend added there without being edited.
 */
public final class BackendCatalog {
  private BackendCatalog() {}

  public static List<String> names() {
    return new ArrayList<>(Backends.candidates().keySet());
  }
}
