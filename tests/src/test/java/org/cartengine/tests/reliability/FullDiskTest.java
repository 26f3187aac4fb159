package org.cartengine.tests.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.cartengine.cart.ids.IndexStore;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.reference.ReferenceBackend;
import org.cartengine.engine.io.AtomicFiles;
import org.cartengine.engine.io.Checksums;
import org.cartengine.engine.io.Safetensors;
import org.cartengine.tests.reliability.HostileDatasetTest.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A disk that fills up mid-write and a read-only output directory, on a 1 MB tmpfs mounted by the test: {@code index}
 * and {@code enhance} exit with status 2 and one line naming what could not be written; the outputs already in the
 * directory stay as they were (same bytes, still load); no temporary file is left. Needs root and permission to mount
 * (skipped with the reason otherwise).
 */
class FullDiskTest {
  static Path mnt;
  static Path data;
  static final String[] INDEX = {"--k", "6", "--epochs", "2", "--hidden", "16", "--latent-dim", "4", "--codebook-size", "8"};

  static String run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    return p.waitFor() == 0 ? null : "`" + String.join(" ", cmd) + "` failed: " + out;
  }

  @BeforeAll
  static void mount() throws Exception {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root to mount a tmpfs (user "
        + System.getProperty("user.name") + ")");
    mnt = Files.createTempDirectory("cart-tmpfs");
    String failed = run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt.toString());
    if (failed != null) Files.delete(mnt);
    Assumptions.assumeTrue(failed == null, "mount not permitted here: " + failed);
    data = Files.createTempDirectory("cart-fulldisk").resolve("data");
    KillResumeTest.writeDataset(data);
  }

  /** Lets go of memory-mapped files (Dataset.load maps items.npy), which keep a file system busy. */
  static void releaseMappings() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
  }

  @AfterAll
  static void unmount() throws Exception {
    if (mnt == null) return;
    releaseMappings();
    if (run("umount", mnt.toString()) != null) run("umount", "-l", mnt.toString());
    Files.deleteIfExists(mnt);
    if (data != null) AtomicFiles.deleteTree(data.getParent());
  }

  @AfterEach
  void emptyTheDisk() throws Exception {
    if (mnt == null) return;
    run("mount", "-o", "remount,rw", mnt.toString());
    try (Stream<Path> s = Files.list(mnt)) {
      for (Path p : s.toList()) AtomicFiles.deleteTree(p);
    }
  }

  /** Fills the file system until a write fails, then frees one page: the next file of any size will not fit. */
  static void fill() throws IOException {
    Path filler = mnt.resolve("filler");
    byte[] chunk = new byte[16 << 10];
    long written = 0;
    try (OutputStream out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(chunk);
        written += chunk.length;
      }
    } catch (IOException full) {
      // expected: No space left on device
    }
    try (var ch = java.nio.channels.FileChannel.open(filler, java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(Math.max(0, Files.size(filler) - 4096));
    }
    assertTrue(written > 0, "the filler wrote something");
  }

  /** Name -> SHA-256 of every file under {@code dir}. */
  static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) m.put(dir.relativize(p).toString(), Checksums.of(p));
    }
    return m;
  }

  static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** Exit status 2 and the error as one line, the last one (index prints its phases before it gets to writing). */
  static void assertOneLineError(Result r, String mustContain, String what) {
    assertEquals(2, r.code(), what + ": " + r.err() + r.out());
    List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
    String last = lines.get(lines.size() - 1);
    assertTrue(last.contains(mustContain) && (last.startsWith("error: ") || last.startsWith("cart ")), what + ": " + last);
    assertTrue(lines.stream().noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception")), what + ": " + r.err());
  }

  @Test
  void indexOnAFullDiskKeepsThePreviousIndex() throws Exception {
    Path idx = mnt.resolve("index");
    assertEquals(0, HostileDatasetTest.cli(args("index", "--data", data.toString(), "--out", idx.toString(), "--seed", "1")).code());
    Map<String, String> before = snapshot(idx);
    fill();
    Result r = HostileDatasetTest.cli(args("index", "--data", data.toString(), "--out", idx.toString(), "--seed", "2"));
    assertOneLineError(r, "No space left on device", "index on a full disk");
    assertEquals(before, snapshot(idx), "the previous index is unchanged");
    assertEquals(30, IndexStore.load(idx).identifiers().size());
    assertEquals(List.of("filler", "index"), names(mnt));
  }

  @Test
  void enhanceOnAFullDiskKeepsThePreviousDataset() throws Exception {
    Path out = mnt.resolve("enhanced");
    assertEquals(0, HostileDatasetTest.cli("enhance", "--data", data.toString(), "--out", out.toString(), "--no-wordnet",
        "--seed", "1", "--device", "reference").code());
    Map<String, String> before = snapshot(out);
    fill();
    Result r = HostileDatasetTest.cli("enhance", "--data", data.toString(), "--out", out.toString(), "--seed", "2",
        "--device", "reference");
    assertOneLineError(r, "No space left on device", "enhance on a full disk");
    assertEquals(before, snapshot(out), "the previous dataset is unchanged");
    assertEquals(0, HostileDatasetTest.cli("data", "check", out.toString()).code());
    assertEquals(List.of("enhanced", "filler"), names(mnt));
  }

  @Test
  void aCheckpointOnAFullDiskKeepsThePreviousOne() throws Exception {
    var be = new ReferenceBackend();
    Path f = mnt.resolve("checkpoint.safetensors");
    Safetensors.write(f, Map.of("w", Tensor.zeros(be, DType.F32, 8)), Map.of());
    String before = Checksums.of(f);
    fill();
    IOException e = assertThrows(IOException.class,
        () -> Safetensors.write(f, Map.of("w", Tensor.zeros(be, DType.F32, 64, 1024)), Map.of()));
    assertTrue(e.getMessage().startsWith(f + ": cannot write: No space left on device"), e.getMessage());
    assertEquals(before, Checksums.of(f));
    assertEquals(1, Safetensors.read(f, be).size());
    assertEquals(List.of("checkpoint.safetensors", "filler"), names(mnt));
  }

  @Test
  void aReadOnlyDirectoryKeepsItsOutputs() throws Exception {
    Path idx = mnt.resolve("index"), enh = mnt.resolve("enhanced");
    assertEquals(0, HostileDatasetTest.cli(args("index", "--data", data.toString(), "--out", idx.toString())).code());
    assertEquals(0, HostileDatasetTest.cli("enhance", "--data", data.toString(), "--out", enh.toString(), "--no-wordnet",
        "--device", "reference").code());
    Map<String, String> before = snapshot(mnt);
    releaseMappings();
    String failed = run("mount", "-o", "remount,ro", mnt.toString());
    Assumptions.assumeTrue(failed == null, failed);
    assertOneLineError(HostileDatasetTest.cli(args("index", "--data", data.toString(), "--out", idx.toString(), "--seed", "3")),
        "Read-only file system", "index into a read-only directory");
    assertOneLineError(HostileDatasetTest.cli("enhance", "--data", data.toString(), "--out", enh.toString(), "--seed", "3",
        "--device", "reference"), "Read-only file system", "enhance into a read-only directory");
    assertEquals(before, snapshot(mnt));
    assertEquals(0, HostileDatasetTest.cli("data", "check", enh.toString()).code());
  }

  static String[] args(String... a) {
    String[] out = new String[a.length + INDEX.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(INDEX, 0, out, a.length, INDEX.length);
    return out;
  }
}
