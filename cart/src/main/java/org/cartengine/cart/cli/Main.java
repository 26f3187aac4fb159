package org.cartengine.cart.cli;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code cart-engine.jar}. Subcommands are registered in {@link #commandLine()}.
 *
 * <p>The SIMD backend needs the incubating Vector API module, which a manifest cannot add. When the
 * jar is started without {@code --add-modules jdk.incubator.vector}, Main starts the same JVM again
 * with the flag (set {@code CART_NO_RELAUNCH=1} to skip this and run on the plain-Java backend).
 */
@Command(name = "cart", mixinStandardHelpOptions = true, version = "cart-engine 0.1.0",
    description = "CART: generative cross-modal retrieval (semantic identifiers, fusion encoder-decoder, trie-constrained beam search).")
public final class Main implements Runnable {
  /** The dataset of a command given no --data: the embedded one. */
  public static final String DEFAULT_DATASET = "emoji";

  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    for (Object sub : Subcommands.all()) cl.addSubcommand(sub);
    // Bad input (a missing file, a malformed dataset, an impossible option) is reported as one line
    // naming what is wrong, exit code 2; anything else is internal: one line, exit 1, the trace in a log file.
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> Errors.report(ex, cmd.getErr()));
    return cl;
  }

  @Override
  public void run() {
    commandLine().usage(System.out);
  }

  public static void main(String[] args) throws Exception {
    if (Relaunch.needed()) System.exit(Relaunch.withVectorModule(Main.class, args));
    Relaunch.exitWithLauncher();
    String[] a = Errors.stripDebug(args);
    org.cartengine.cart.run.BuildInfo.setCommandLine(a);
    System.exit(commandLine().execute(a));
  }

  /** Re-execs the JVM with the Vector API module when it is missing from the boot layer. */
  static final class Relaunch {
    /** Set by the launcher in its child's environment: the launcher's PID, which the child watches. */
    static final String LAUNCHER_PID = "CART_LAUNCHER_PID";

    /**
     * In a relaunched child: exit when the launcher dies. A launcher stopped by SIGTERM or Ctrl-C forwards it, but
     * SIGKILL cannot be forwarded, and an orphaned child would go on writing the run directory (or holding the
     * port of {@code cart serve}). A daemon thread polls the launcher's handle (a PID reused by another process
     * does not count as alive: the handle compares start times) and exits with status 137 through the shutdown
     * hooks, so {@code serve} closes its port and a writer's lock is released.
     */
    static void exitWithLauncher() {
      String pid = System.getenv(LAUNCHER_PID);
      if (pid == null) return;
      ProcessHandle launcher;
      try {
        launcher = ProcessHandle.of(Long.parseLong(pid.trim())).orElse(null);
      } catch (NumberFormatException e) {
        return;
      }
      if (launcher == null || !launcher.isAlive()) Runtime.getRuntime().halt(137);  // died before we looked
      // Only the launcher's own child watches it (the variable may have been inherited by some other process).
      if (ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L) != launcher.pid()) return;
      Thread watch = new Thread(() -> {
        while (launcher.isAlive()) {
          try {
            Thread.sleep(250);
          } catch (InterruptedException e) {
            return;
          }
        }
        System.err.println("cart: the launcher (pid " + pid.trim() + ") is gone; stopping");
        Thread halt = new Thread(() -> {
          try {
            Thread.sleep(10_000);
          } catch (InterruptedException e) {
            // exiting anyway
          }
          Runtime.getRuntime().halt(137);  // shutdown hooks that hang do not keep an orphan alive
        }, "cart-launcher-gone-halt");
        halt.setDaemon(true);
        halt.start();
        System.exit(137);
      }, "cart-launcher-watch");
      watch.setDaemon(true);
      watch.start();
    }

    static boolean needed() {
      if (System.getenv("CART_NO_RELAUNCH") != null) return false;
      return ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty();
    }

    static int withVectorModule(Class<?> mainClass, String[] args) throws Exception {
      String javaBin = ProcessHandle.current().info().command().orElse("java");
      List<String> cmd = new ArrayList<>();
      cmd.add(javaBin);
      cmd.add("--add-modules=jdk.incubator.vector");
      cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(mainClass.getName());
      cmd.addAll(List.of(args));
      ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
      pb.environment().put("CART_NO_RELAUNCH", "1");
      pb.environment().put(LAUNCHER_PID, Long.toString(ProcessHandle.current().pid()));
      // Signal chaining: a native library loaded later (an OpenCL driver: PoCL loads LLVM) cannot put its
      // SIGSEGV handler over the JVM's, which the JVM needs for its own faults (safepoint polls).
      java.nio.file.Path jsig = org.cartengine.engine.backend.Backends.jsigLibrary();
      if (jsig != null && !org.cartengine.engine.backend.Backends.signalChaining()) {
        String old = System.getenv("LD_PRELOAD");
        pb.environment().put("LD_PRELOAD", jsig + (old == null || old.isBlank() ? "" : ":" + old));
      }
      Process child = pb.start();
      // SIGTERM or Ctrl-C to this launcher reaches the child as SIGTERM, so it can shut down cleanly (cart serve).
      Thread forward = new Thread(() -> {
        if (!child.isAlive()) return;
        child.destroy();
        try {
          child.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "cart-relaunch-forward");
      Runtime.getRuntime().addShutdownHook(forward);
      int code = child.waitFor();
      try {
        Runtime.getRuntime().removeShutdownHook(forward);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or has run
      }
      return code;
    }
  }
}
