package org.cartengine.tests.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import org.cartengine.cart.cli.Main;
import org.cartengine.cart.data.Caption;
import org.cartengine.cart.data.Dataset;
import org.cartengine.engine.io.AtomicFiles;
import org.cartengine.tests.reliability.HostileDatasets.Fault;
import org.cartengine.tests.reliability.HostileDatasets.Variant;

/**
 * Malformed dataset directories ({@link HostileDatasets}) given to the CLI in-process: {@code data check},
 * {@code index} and {@code enhance} each exit with status 2 and one line naming the file (and the line where there is
 * one); no stack trace, no OutOfMemoryError, nothing written to their output directories. Accepted variants (a BOM,
 * CRLF line ends, ...) read as the plain dataset. Counts per class are written to target/hostile-datasets.tsv.
 */
class HostileDatasetTest {
  static final Map<Fault, Integer> COUNTS = new EnumMap<>(Fault.class);
  static final Map<Variant, Integer> VARIANTS = new EnumMap<>(Variant.class);

  record Result(int code, String out, String err) {}

  static synchronized Result cli(String... args) {
    PrintStream oldOut = System.out, oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = Main.commandLine().execute(args);
    } finally {
      System.out.flush();
      System.err.flush();
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Every fault, with parameters drawn at random; a fixed budget of tries in CI (about 20 s). */
  @Property(tries = 80)
  void everyFaultIsOneClearLineAndExitStatus2(@ForAll Fault fault, @ForAll long seed) throws IOException {
    check(fault, seed);
  }

  /** Each class at least once, whatever the property draws. */
  @Example
  void everyFaultClassOnce() throws IOException {
    for (Fault f : Fault.values()) check(f, f.ordinal());
  }

  /**
   * The long run recorded in bench/README.md: {@code -Dhostile.cases=N} more random cases (none by default).
   * {@code ./mvnw -pl tests -am verify -Dtest=HostileDatasetTest -Dsurefire.failIfNoSpecifiedTests=false -Dhostile.cases=3000}
   */
  @Example
  void longRun() throws IOException {
    int n = Integer.getInteger("hostile.cases", 0);
    Random r = new Random(Long.getLong("hostile.seed", System.nanoTime()));
    for (int i = 0; i < n; i++) {
      Fault f = Fault.values()[r.nextInt(Fault.values().length)];
      check(f, r.nextLong());
    }
  }

  @Property(tries = 16)
  void acceptedVariantsReadAsThePlainDataset(@ForAll Variant v, @ForAll long seed) throws IOException {
    Path root = Files.createTempDirectory("cart-variant");
    try {
      Path dir = root.resolve("ds");
      HostileDatasets.Base b = HostileDatasets.make(v, new Random(seed), dir);
      Result r = cli("data", "check", dir.toString());
      assertEquals(0, r.code(), v + ": " + r.err());
      Dataset d = Dataset.load(dir);
      assertEquals(b.ids, d.ids(), v.toString());
      int captions = v == Variant.EMPTY_CAPTIONS ? 0 : b.captions.size();
      assertEquals(captions, d.captions().size(), v.toString());
      for (Caption c : d.captions()) assertTrue(c.text().startsWith("a picture of thing "), v + ": " + c.text());
      synchronized (VARIANTS) {
        VARIANTS.merge(v, 1, Integer::sum);
      }
    } finally {
      AtomicFiles.deleteTree(root);
    }
  }

  static void check(Fault fault, long seed) throws IOException {
    Path root = Files.createTempDirectory("cart-hostile");
    try {
      Path dir = root.resolve("ds");
      int line = HostileDatasets.make(fault, new Random(seed), dir);
      String file = dir.resolve(fault.file).toString();
      String where = fault + " (seed " + seed + ")";
      for (String[] args : List.of(new String[] {"data", "check", dir.toString()},
          new String[] {"index", "--data", dir.toString(), "--out", root.resolve("index-out").toString()},
          new String[] {"enhance", "--data", dir.toString(), "--out", root.resolve("enhance-out").toString()})) {
        Result r = cli(args);
        String cmd = where + ", " + args[0] + ": ";
        assertEquals(2, r.code(), cmd + r.err() + r.out());
        List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), cmd + "want one line, got:\n" + r.err());
        String msg = lines.get(0);
        assertTrue(msg.contains(file), cmd + "does not name " + file + ": " + msg);
        if (line > 0) assertTrue(msg.contains(file + ":" + line + ":"), cmd + "does not name line " + line + ": " + msg);
        assertTrue(msg.length() < 600, cmd + "message of " + msg.length() + " characters");
        assertFalse(r.out().contains("OK"), cmd + r.out());
      }
      // Nothing written: no output directory, no temporary beside it.
      try (Stream<Path> s = Files.list(root)) {
        assertEquals(List.of("ds"), s.map(p -> p.getFileName().toString()).toList(), where);
      }
      synchronized (COUNTS) {
        COUNTS.merge(fault, 1, Integer::sum);
      }
    } finally {
      AtomicFiles.deleteTree(root);
    }
  }

  @AfterContainer
  static void writeCounts() {
    StringBuilder sb = new StringBuilder("class\tcases\toutcome\n");
    COUNTS.forEach((f, n) -> sb.append(f).append('\t').append(n).append("\texit 2, one line naming ").append(f.file)
        .append(f.line ? " and line" : "").append('\n'));
    VARIANTS.forEach((v, n) -> sb.append(v).append('\t').append(n).append("\taccepted, read as the plain dataset\n"));
    try {
      Files.createDirectories(Path.of("target"));
      Files.writeString(Path.of("target", "hostile-datasets.tsv"), sb.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
