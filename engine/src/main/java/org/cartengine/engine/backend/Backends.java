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
 *
 * <p>The automatic pick does not load an OpenCL driver into this JVM unless it would be chosen: it asks a
 * short-lived child JVM ({@link org.cartengine.engine.backend.opencl.OpenClProbe}) which device OpenCL
 * offers, and loads OpenCL here only for a GPU. Loading PoCL (a CPU driver, which never wins) installs
 * LLVM's signal handlers over the JVM's, and the JVM then dies of its own SIGSEGVs (safepoint polls)
 * when two threads fault at once: exit 139, no hs_err file. When the JVM runs with signal chaining
 * ({@code LD_PRELOAD=.../lib/libjsig.so}, which cart's launcher and the test forks set) a driver's
 * handlers are chained behind the JVM's and the probe runs in-process. {@code -Dcart.opencl.probe=inprocess}
 * restores the old in-process probe (to show the replaced handlers with {@code -Xcheck:jni}).
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
        // No driver installed: say so without loading JOCL, whose loader prints its failure on stdout.
        String noDriver = e.getKey().equals("opencl") ? noOpenClDriver() : null;
        if (noDriver != null) {
          reasons.add("opencl: " + noDriver);
          continue;
        }
        if (e.getKey().equals("opencl") && !signalChaining() && !"inprocess".equals(System.getProperty("cart.opencl.probe"))) {
          String noGpu = openClWithoutGpu();
          if (noGpu != null) {
            reasons.add("opencl: " + noGpu);
            continue;
          }
        }
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

  /** Whether the JVM's signal handlers are chained ({@code libjsig} preloaded), so a native library's sigaction cannot displace them. */
  public static boolean signalChaining() {
    String preload = System.getenv("LD_PRELOAD");
    return preload != null && preload.contains("libjsig");
  }

  /** The JVM's signal-chaining library, for {@code LD_PRELOAD} of a child JVM, or null where this JVM has none. */
  public static java.nio.file.Path jsigLibrary() {
    java.nio.file.Path p = java.nio.file.Path.of(System.getProperty("java.home"), "lib", "libjsig.so");
    return java.nio.file.Files.isRegularFile(p) ? p : null;
  }

  /** Why no OpenCL driver can be there (Linux without an ICD file and without OCL_ICD_VENDORS), or null where one may be. */
  static String noOpenClDriver() {
    if (System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux") && System.getenv("OCL_ICD_VENDORS") == null) {
      java.io.File[] icds = new java.io.File("/etc/OpenCL/vendors").listFiles((d, n) -> n.endsWith(".icd"));
      if (icds == null || icds.length == 0) return "no OpenCL driver installed (no /etc/OpenCL/vendors/*.icd)";
    }
    return null;
  }

  /**
   * Null when OpenCL offers a GPU (so loading it here is worth it), else why not, found without loading a driver into
   * this JVM: by a child JVM's {@link org.cartengine.engine.backend.opencl.OpenClProbe} (called once
   * {@link #noOpenClDriver} has found a driver may be installed).
   */
  static String openClWithoutGpu() {
    String javaBin = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = List.of(javaBin, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), "org.cartengine.engine.backend.opencl.OpenClProbe");
    Process p = null;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
      // A few lines of output: they fit the pipe, so waiting before reading cannot block the child.
      if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) return "the OpenCL probe (a child JVM) did not finish in 60 s";
      byte[] out = p.getInputStream().readAllBytes();
      String first = new String(out, java.nio.charset.StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank() && !l.startsWith("WARNING")).findFirst().orElse("");
      if (p.exitValue() != 0) return first.isEmpty() ? "the OpenCL probe (a child JVM) exited " + p.exitValue() : first;
      if (first.contains("OpenCL GPU")) return null;
      return "device is not a GPU (" + first + ", probed in a child JVM); simd is faster on CPUs";
    } catch (java.io.IOException e) {
      return "could not start the OpenCL probe: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while probing";
    } finally {
      if (p != null && p.isAlive()) p.destroyForcibly();
    }
  }
}
