package org.cartengine.engine.backend.opencl;

/**
 * Main class of the short-lived child JVM in which {@link org.cartengine.engine.backend.Backends} probes
 * OpenCL: prints the device the backend would use ({@link OpenClBackend#device()}) on the first line of
 * standard output and exits 0, or prints why OpenCL is unavailable and exits 3. The probe runs out of
 * process because loading an OpenCL driver can replace the JVM's signal handlers (PoCL loads LLVM, which
 * installs SIGSEGV/SIGBUS/SIGILL handlers with SA_RESETHAND): the JVM takes SIGSEGV on purpose (safepoint
 * polls, implicit null checks), so two threads faulting at once then kill the process without an
 * hs_err file. The parent only loads OpenCL when the child found a GPU, the one case it would be chosen.
 */
public final class OpenClProbe {
  private OpenClProbe() {}

  public static void main(String[] args) {
    int code;
    try {
      OpenClBackend b = new OpenClBackend();
      System.out.println(b.device());
      b.close();
      code = 0;
    } catch (RuntimeException | LinkageError e) {
      System.out.println("unavailable: " + e.getClass().getSimpleName() + ": " + e.getMessage());
      code = 3;
    }
    System.out.flush();
    Runtime.getRuntime().halt(code);  // no shutdown hooks or finalisation inside the driver
  }
}
