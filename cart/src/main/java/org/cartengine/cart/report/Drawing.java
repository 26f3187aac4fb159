package org.cartengine.cart.report;

import java.nio.file.Path;

/**
 * Whether this Java runtime can draw. A trimmed runtime (jlink without java.desktop, as bench/gpu-build.sh makes for
 * a GPU machine) cannot even link {@link Plots}, whose charts use AWT types; a run there should still finish with its
 * metrics, so callers ask here first, in a class that names no AWT type, and the skipped plot is said.
 */
public final class Drawing {
  private Drawing() {}

  public static boolean available(Path png) {
    if (ModuleLayer.boot().findModule("java.desktop").isPresent()) return true;
    System.err.println("plot skipped: this Java runtime has no java.desktop module, so " + png + " was not drawn");
    return false;
  }
}
