package org.cartengine.tests.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cartengine.cart.UserError;
import org.cartengine.cart.cli.WriterLock;
import org.cartengine.cart.run.RunDir;
import org.cartengine.engine.io.AtomicFiles;
import org.cartengine.tests.TinyDataset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One writer per directory ({@link WriterLock}) and no orphaned child of the launcher: real {@code java -jar
 * cart-engine.jar} processes. A second {@code train} on a run directory another train holds is refused at once (exit 2,
 * one line naming the directory and the holder's PID); the launcher (which restarts the JVM with the Vector API module)
 * killed with SIGKILL takes its child with it, for {@code train} (then {@code --resume} completes) and for {@code serve}
 * (the port is free again).
 */
class WritersAndOrphansTest {
  static final Path JAR = KillResumeTest.JAR;
  static Path root;
  static Path data;

  @BeforeAll
  static void dataset() throws IOException {
    Assumptions.assumeTrue(Files.isRegularFile(JAR), "needs " + JAR + " (built by the cart module's package phase)");
    root = Files.createTempDirectory("cart-writers");
    data = root.resolve("data");
    TinyDataset.write(data, "writers", null);
  }

  @AfterAll
  static void remove() throws IOException {
    if (root != null) AtomicFiles.deleteTree(root);
  }

  @Test
  void aSecondLockInTheSameProcessIsRefusedNamingTheHolder() throws IOException {
    Path dir = root.resolve("in-jvm");
    try (WriterLock held = WriterLock.acquire(dir, "train")) {
      UserError e = assertThrows(UserError.class, () -> WriterLock.acquire(dir, "index"));
      assertTrue(e.getMessage().startsWith(dir + " is in use by another writer (pid " + ProcessHandle.current().pid() + ", started "),
          e.getMessage());
      assertTrue(e.getMessage().contains("cart train"), e.getMessage());
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
    try (WriterLock again = WriterLock.acquire(dir, "index")) {
      assertTrue(Files.readString(dir.resolve(WriterLock.NAME)).contains("cart index"));
    }
  }

  @Test
  void aSecondWriterIsRefusedAndResumeWorksAfterKill9() throws Exception {
    Path run = root.resolve("run-two-writers");
    Process first = start(false, "train", run, 40);
    long holder = waitForHolder(run, first);
    assertEquals(first.pid(), holder, "the lock names the training JVM");
    for (List<String> second : List.of(List.of("train", "--resume", "--device", "reference"), List.of("index", "--k", "6"),
        List.of("ablate", "--device", "reference"))) {
      List<String> c = new ArrayList<>(List.of(second.get(0), "--data", data.toString(), "--out", run.toString()));
      c.addAll(second.subList(1, second.size()));
      Result r = cli(c);
      assertEquals(2, r.code, second + ": " + r.err);
      List<String> lines = r.err.lines().filter(l -> l.startsWith("error:") || l.contains("Exception") || l.startsWith("\tat ")).toList();
      assertEquals(1, lines.size(), r.err);
      assertTrue(lines.get(0).contains(run + " is in use by another writer (pid " + holder + ", started "), r.err);
    }
    assertTrue(first.isAlive(), "the refused writers left the first alone");
    first.destroyForcibly();  // SIGKILL: the OS releases the lock
    first.waitFor();
    Process resumed = start(false, "train", run, 40, "--resume");
    assertTrue(resumed.waitFor(300, TimeUnit.SECONDS), "resume did not finish");
    assertEquals(0, resumed.exitValue(), Files.readString(log(resumed)));
    assertTrue(Files.exists(run.resolve(RunDir.METRICS_JSON)));
  }

  @Test
  void theChildDiesWithItsKilledLauncherAndResumeCompletes() throws Exception {
    Path run = root.resolve("run-orphan");
    Process launcher = start(true, "train", run, 40);
    long child = waitForHolder(run, launcher);
    assertTrue(child != launcher.pid(), "the training JVM is the launcher's child");
    launcher.destroyForcibly();  // SIGKILL to the launcher only
    launcher.waitFor();
    assertGone(child);
    Process resumed = start(true, "train", run, 40, "--resume");
    assertTrue(resumed.waitFor(300, TimeUnit.SECONDS), "resume did not finish");
    assertEquals(0, resumed.exitValue(), Files.readString(log(resumed)));
    assertTrue(Files.exists(run.resolve(RunDir.METRICS_JSON)));

    // serve: the killed launcher's child must not hold the port
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Process serve = startServe(run, port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!answers(port)) {
      assertTrue(serve.isAlive(), "serve exited: " + Files.readString(log(serve)));
      assertTrue(System.nanoTime() < deadline, "serve did not listen: " + Files.readString(log(serve)));
      Thread.sleep(200);
    }
    List<ProcessHandle> children = serve.toHandle().children().toList();
    assertEquals(1, children.size(), "one relaunched child");
    serve.destroyForcibly();
    serve.waitFor();
    assertGone(children.get(0).pid());
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      assertEquals(port, s.getLocalPort(), "the port is free again");
    }
  }

  static void assertGone(long pid) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      if (System.nanoTime() > deadline) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        throw new AssertionError("the launcher's child " + pid + " outlived it by 5 s");
      }
      Thread.sleep(50);
    }
  }

  static boolean answers(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The PID in the run directory's lock file, once the writer holds it. */
  static long waitForHolder(Path dir, Process p) throws Exception {
    Path lock = dir.resolve(WriterLock.NAME);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      assertTrue(p.isAlive(), "the writer ended before it was looked at: " + Files.readString(log(p)));
      if (Files.exists(lock)) {
        String s = Files.readString(lock, StandardCharsets.UTF_8);
        if (s.startsWith("pid ") && s.contains(", started ")) return Long.parseLong(s.substring(4, s.indexOf(',')));
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no lock in " + dir);
  }

  static final java.util.Map<Long, Path> LOGS = new java.util.concurrent.ConcurrentHashMap<>();

  static Path log(Process p) {
    return LOGS.get(p.pid());
  }

  /** {@code java -jar cart-engine.jar train ...}: through the launcher (its relaunched child trains) or directly. */
  static Process start(boolean viaLauncher, String cmd, Path out, int epochs, String... more) throws IOException {
    List<String> c = new ArrayList<>(List.of(java()));
    if (!viaLauncher) c.add("--add-modules=jdk.incubator.vector");
    c.addAll(List.of("-Xmx512m", "-jar", JAR.toString(), cmd, "--data", data.toString(), "--out", out.toString(), "--device", "reference"));
    List<String> train = new ArrayList<>(List.of(KillResumeTest.TRAIN));
    train.set(train.indexOf("--epochs") + 1, Integer.toString(epochs));
    c.addAll(train);
    c.addAll(List.of(more));
    return launch(c, viaLauncher);
  }

  static Process startServe(Path run, int port) throws IOException {
    return launch(new ArrayList<>(List.of(java(), "-Xmx512m", "-jar", JAR.toString(), "serve", "--run", run.toString(),
        "--port", Integer.toString(port), "--device", "reference")), true);
  }

  static Process launch(List<String> c, boolean viaLauncher) throws IOException {
    Path log = Files.createTempFile(root, "log-", ".txt");
    ProcessBuilder pb = new ProcessBuilder(c).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().remove("CART_NO_RELAUNCH");
    pb.environment().remove("CART_LAUNCHER_PID");
    if (!viaLauncher) pb.environment().put("CART_NO_RELAUNCH", "1");
    pb.environment().put("CART_BACKEND", "reference");
    Process p = pb.start();
    LOGS.put(p.pid(), log);
    return p;
  }

  static String java() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  record Result(int code, String err) {}

  /** A second writer, run in a child JVM (a lock is per process) to its end. */
  static Result cli(List<String> args) throws Exception {
    List<String> c = new ArrayList<>(List.of(java(), "--add-modules=jdk.incubator.vector", "-Xmx256m", "-jar", JAR.toString()));
    c.addAll(args);
    Process p = launch(c, false);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the second writer was not refused at once");
    return new Result(p.exitValue(), Files.readString(log(p)));
  }
}
