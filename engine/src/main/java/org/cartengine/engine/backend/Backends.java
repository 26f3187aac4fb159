package org.cartengine.engine.backend;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.cartengine.engine.backend.reference.ReferenceBackend;

/**
 * Picks the fastest available backend at start-up (cuda > opencl > simd > reference) and says why it
 * skipped the others. {@code -Dcart.backend=NAME} or {@code CART_BACKEND=NAME} forces one (and fails
 * loudly if it is unavailable). OpenCL is only chosen automatically when it offers a GPU device; on
 * a CPU-only OpenCL driver (PoCL) the SIMD backend is faster.
 */
public final class Backends {
  private static final Logger LOG = Logger.getLogger(Backends.class.getName());
  private static volatile Backend current;
  private static final List<String> reasons = new ArrayList<>();

  private Backends() {}

  /** Constructors by name, in order of preference. Classes are loaded reflectively so a missing native library only skips that backend. */
  static Map<String, Supplier<Backend>> candidates() {
    Map<String, Supplier<Backend>> m = new LinkedHashMap<>();
    m.put("cuda", () -> load("org.cartengine.engine.backend.cuda.CudaBackend"));
    m.put("opencl", () -> load("org.cartengine.engine.backend.opencl.OpenClBackend"));
    m.put("simd", () -> load("org.cartengine.engine.backend.simd.SimdBackend"));
    m.put("reference", ReferenceBackend::new);
    return m;
  }

  /** The names {@link #create} takes, in order of preference: cuda, opencl, simd, reference. */
  public static List<String> names() {
    return List.copyOf(candidates().keySet());
  }

  private static Backend load(String cls) {
    try {
      return (Backend) Class.forName(cls).getDeclaredConstructor().newInstance();
    } catch (java.lang.reflect.InvocationTargetException e) {
      Throwable c = e.getCause();
      throw new IllegalStateException(c.getClass().getSimpleName() + ": " + c.getMessage(), c);
    } catch (ReflectiveOperationException | LinkageError e) {
      throw new IllegalStateException(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  /** Creates the named backend or throws with the reason it is unavailable. */
  public static Backend create(String name) {
    Supplier<Backend> s = candidates().get(name);
    if (s == null) throw new IllegalArgumentException("unknown backend '" + name + "' (known: " + candidates().keySet() + ")");
    return s.get();
  }

  /** Names of the backends that can be created on this machine, each tried once. */
  public static List<String> available() {
    List<String> out = new ArrayList<>();
    for (var e : candidates().entrySet()) {
      try {
        Backend b = e.getValue().get();
        out.add(e.getKey());
        b.close();
      } catch (RuntimeException | LinkageError ex) {
        // unavailable
      }
    }
    return out;
  }

  public static synchronized Backend get() {
    if (current == null) current = pick();
    return current;
  }

  /** Replaces the process-wide default backend (tests, CLI --device). */
  public static synchronized void set(Backend b) {
    current = b;
  }

  /** Why each faster backend was skipped when the default was picked. */
  public static synchronized List<String> skipped() {
    get();
    return List.copyOf(reasons);
  }

  private static Backend pick() {
    String forced = System.getProperty("cart.backend", System.getenv("CART_BACKEND"));
    if (forced != null && !forced.isBlank() && !forced.equals("auto")) {
      Backend b = create(forced.trim());
      LOG.info("backend " + b.name() + " (forced): " + b.device());
      return b;
    }
    for (var e : candidates().entrySet()) {
      try {
        Backend b = e.getValue().get();
        if (b.name().equals("opencl") && !b.device().contains("GPU")) {
          reasons.add("opencl: device is not a GPU (" + b.device() + "); simd is faster on CPUs");
          b.close();
          continue;
        }
        LOG.info("backend " + b.name() + ": " + b.device() + (reasons.isEmpty() ? "" : " (skipped " + reasons + ")"));
        return b;
      } catch (RuntimeException | LinkageError ex) {
        reasons.add(e.getKey() + ": " + ex.getMessage());
      }
    }
    throw new IllegalStateException("no backend available: " + reasons);
  }
}
