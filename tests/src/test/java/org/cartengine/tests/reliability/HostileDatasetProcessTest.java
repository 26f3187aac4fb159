package org.cartengine.tests.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.cartengine.engine.io.AtomicFiles;
import org.cartengine.tests.reliability.HostileDatasets.Fault;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The hostile inputs that could exhaust memory, given to the real jar in a JVM with a 48 MB heap: a shape that would
 * need terabytes, one that overflows, a 10 MB caption line, a 10 MB item line. Exit status 2 and one line on stderr,
 * never an OutOfMemoryError.
 */
class HostileDatasetProcessTest {
  @Test
  void memoryHungryInputsAreRefusedInASmallHeap() throws Exception {
    Assumptions.assumeTrue(Files.isRegularFile(KillResumeTest.JAR), "needs " + KillResumeTest.JAR);
    String java = ProcessHandle.current().info().command().orElse("java");
    for (Fault f : List.of(Fault.NPY_SHAPE_EXHAUSTS_HEAP, Fault.NPY_SHAPE_OVERFLOWS_LONG, Fault.CAP_10MB_LINE,
        Fault.TSV_10MB_LINE)) {
      Path root = Files.createTempDirectory("cart-hostile-proc");
      try {
        Path dir = root.resolve("ds");
        HostileDatasets.make(f, new Random(f.ordinal()), dir);
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx48m", "-jar", KillResumeTest.JAR.toString(), "data", "check",
            dir.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("CART_NO_RELAUNCH", "1");
        Process p = pb.start();
        p.getOutputStream().close();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), f + ": still running");
        List<String> lines = err.lines().filter(l -> !l.isBlank() && !l.startsWith("WARNING: Using incubator")).toList();
        assertEquals(2, p.exitValue(), f + ": " + err);
        assertEquals(1, lines.size(), f + ": " + err);
        assertTrue(lines.get(0).contains(dir.resolve(f.file).toString()), f + ": " + lines.get(0));
      } finally {
        AtomicFiles.deleteTree(root);
      }
    }
  }
}
