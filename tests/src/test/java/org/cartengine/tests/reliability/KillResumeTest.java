package org.cartengine.tests.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.cartengine.cart.ids.IndexStore;
import org.cartengine.cart.run.RunDir;
import org.cartengine.engine.io.AtomicFiles;
import org.cartengine.engine.io.Checksums;
import org.cartengine.engine.io.SealedJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.cartengine.tests.TinyDataset;

/**
 * Kill -9 anywhere: real {@code train}, {@code index} and {@code enhance} processes ({@code java -jar
 * cart/target/cart-engine.jar ...}) are killed with SIGKILL at random moments, once or twice, then run again
 * ({@code train --resume}; the others plainly) until they finish. Every rerun must finish with exit status 0 and end
 * with what an uninterrupted run writes: the same test metrics and the same best.safetensors bytes for train (on the
 * reference backend; within rounding on simd), the same identifiers.tsv for index, the same captions.jsonl for enhance.
 *
 * <p>CI runs {@code -Dkill.trials=3} (the default: one trial per command). The recorded long run (bench/README.md):
 * {@code ./mvnw -pl tests -am verify -Dtest=KillResumeTest -Dsurefire.failIfNoSpecifiedTests=false -Dkill.trials=24
 * [-Dkill.backend=simd] [-Dkill.seed=S]}. Each trial prints its seed, command and kill times.
 */
class KillResumeTest {
  /** The jar under test; {@code -Dkill.jar=PATH} runs a copy, so that a long run can go on while the tree is rebuilt. */
  static final Path JAR = Path.of(System.getProperty("kill.jar", "../cart/target/cart-engine.jar")).toAbsolutePath()
      .normalize();
  static final String[] TRAIN = {"--no-baseline", "--minutes", "0", "--epochs", "5", "--d-model", "16", "--heads", "2",
      "--ffn", "32", "--encoder-layers", "1", "--decoder-layers", "1", "--batch-size", "8", "--beam", "5", "--vocab", "150",
      "--seed", "7", "--index-epochs", "3", "--codebook-size", "16", "--k", "6", "--scheme", "cart",
      // The reference backend in float64 would spend minutes in the pretrained encoder; kill/resume is about the trainer.
      "--text-encoder", "scratch"};
  static final String BACKEND = System.getProperty("kill.backend", "reference");

  static Path root;
  static Path data;
  /** Wall-clock seconds of each command's uninterrupted run: kills are drawn within it. */
  static final Map<String, Double> REFERENCE_SECONDS = new LinkedHashMap<>();
  static final Map<String, Path> REFERENCE_OUT = new LinkedHashMap<>();

  @BeforeAll
  static void referenceRuns() throws Exception {
    Assumptions.assumeTrue(Files.isRegularFile(JAR), "needs " + JAR + " (built by the cart module's package phase)");
    root = Files.createTempDirectory("cart-kill9");
    data = root.resolve("data");
    writeDataset(data);
    for (String cmd : List.of("train", "index", "enhance")) {
      Path out = root.resolve("reference-" + cmd);
      long t0 = System.nanoTime();
      Proc p = start(cmd, out, false);
      assertEquals(0, p.waitFor(600), "uninterrupted " + cmd + " failed: " + p.log());
      REFERENCE_SECONDS.put(cmd, (System.nanoTime() - t0) / 1e9);
      REFERENCE_OUT.put(cmd, out);
    }
    System.out.printf(Locale.ROOT, "kill -9: uninterrupted runs on %s: %s (seconds)%n", BACKEND, REFERENCE_SECONDS);
  }

  @AfterAll
  static void removeRuns() throws IOException {
    if (root != null && !Boolean.getBoolean("kill.keep")) AtomicFiles.deleteTree(root);
  }

  @Test
  void killedRunsFinishAndEndAsUninterruptedOnes() throws Exception {
    int trials = Integer.getInteger("kill.trials", 3);
    long seed0 = Long.getLong("kill.seed", 20261127L);
    List<String> rows = new ArrayList<>();
    int kills = 0, killedBeforeEnd = 0;
    for (int t = 0; t < trials; t++) {
      long seed = seed0 + t;
      Random r = new Random(seed * 0x9E3779B97F4A7C15L); // consecutive seeds would give java.util.Random alike first draws
      String cmd = List.of("train", "index", "enhance").get(t % 3);
      Path out = root.resolve("trial-" + t + "-" + cmd);
      int times = 1 + r.nextInt(2);
      List<String> at = new ArrayList<>();
      for (int k = 0; k < times; k++) {
        double when = r.nextDouble() * 1.1 * REFERENCE_SECONDS.get(cmd);
        Proc p = start(cmd, out, k > 0);
        boolean ended = p.process.waitFor((long) (when * 1000), TimeUnit.MILLISECONDS);
        if (!ended) {
          p.kill();
          killedBeforeEnd++;
        }
        kills++;
        at.add(String.format(Locale.ROOT, "%.2fs%s", when, ended ? " (had ended)" : ""));
      }
      Proc rerun = start(cmd, out, true);
      int code = rerun.waitFor(600);
      String line = String.format(Locale.ROOT, "trial %d seed %d: %s killed at %s; rerun exit %d; temporaries left: %d", t,
          seed, cmd, at, code, leftovers(out));
      System.out.println("kill -9: " + line);
      rows.add(line);
      assertEquals(0, code, line + "\n" + rerun.log());
      assertSameOutcome(cmd, out, line);
    }
    System.out.printf(Locale.ROOT, "kill -9: %d trials, %d kills (%d before the process ended), every rerun finished "
        + "and matched the uninterrupted run (backend %s)%n", trials, kills, killedBeforeEnd, BACKEND);
    Files.writeString(Path.of("target", "kill9-trials.txt"), String.join("\n", rows) + "\n");
  }

  /**
   * The case of the issue: two bytes of a run's best.safetensors flipped, one in the header and one in the weights, and
   * {@code cart search} answered. Now it, and every other file of the run that search reads, is refused in one line.
   */
  @Test
  void aTamperedRunIsRefusedByName() throws Exception {
    Path ref = REFERENCE_OUT.get("train");
    Path good = root.resolve("tamper-none");
    copyTree(ref, good);
    assertEquals(0, search(good).code(), search(good).err());
    for (String file : List.of(RunDir.BEST_WEIGHTS, RunDir.TOKENIZER_JSON, RunDir.RUN_JSON, RunDir.INDEX_DIR + "/" + IndexStore.IDENTIFIERS_TSV,
        RunDir.INDEX_DIR + "/" + IndexStore.MODEL_WEIGHTS, RunDir.INDEX_DIR + "/" + IndexStore.TRIE_WEIGHTS, RunDir.INDEX_DIR + "/" + IndexStore.INDEX_JSON)) {
      Path run = root.resolve("tamper-" + file.replace('/', '-'));
      copyTree(ref, run);
      Path f = run.resolve(file);
      byte[] b = Files.readAllBytes(f);
      if (file.endsWith(".safetensors")) {
        long header = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        b[(int) (8 + header / 2)] ^= 1; // inside the JSON header
        b[(int) (8 + header + (b.length - 8 - header) / 2)] ^= 1; // inside the weights
      } else {
        b[b.length / 2] ^= 1;
      }
      Files.write(f, b);
      HostileDatasetTest.Result r = search(run);
      String what = "search with " + file + " changed";
      assertEquals(2, r.code(), what + ": " + r.err() + r.out());
      // stderr: the backend line search prints first, then the error as one line, and no stack trace
      List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
      String last = lines.get(lines.size() - 1);
      assertTrue(last.startsWith("error: " + f + ": SHA-256 mismatch"), what + ": " + r.err());
      assertEquals(1, lines.stream().filter(l -> l.startsWith("error:")).count(), what + ": " + r.err());
      assertTrue(lines.stream().noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception")), what + ": " + r.err());
    }
  }

  static HostileDatasetTest.Result search(Path run) {
    return HostileDatasetTest.cli("search", "--run", run.toString(), "--device", "reference", "-k", "3", "red cat");
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(t);
        else Files.copy(p, t);
      }
    }
  }

  /** The rerun's outputs against the uninterrupted run's. */
  static void assertSameOutcome(String cmd, Path out, String trial) throws IOException {
    Path ref = REFERENCE_OUT.get(cmd);
    switch (cmd) {
      case "train" -> {
        JsonObject a = SealedJson.read(ref.resolve(RunDir.METRICS_JSON)).getAsJsonObject("cart");
        JsonObject b = SealedJson.read(out.resolve(RunDir.METRICS_JSON)).getAsJsonObject("cart");
        for (String k : List.of("R@1", "R@5", "R@10", "MRR@10", "queries")) {
          double x = a.get(k).getAsDouble(), y = b.get(k).getAsDouble();
          if (BACKEND.equals("reference")) assertEquals(x, y, 0.0, trial + ": " + k);
          else assertEquals(x, y, 1e-6 + 0.02 * Math.abs(x), trial + ": " + k);
        }
        if (BACKEND.equals("reference")) {
          assertEquals(Checksums.of(ref.resolve(RunDir.BEST_WEIGHTS)), Checksums.of(out.resolve(RunDir.BEST_WEIGHTS)),
              trial + ": best.safetensors differs from the uninterrupted run's");
        }
      }
      case "index" -> assertEquals(Files.readString(ref.resolve(IndexStore.IDENTIFIERS_TSV)),
          Files.readString(out.resolve(IndexStore.IDENTIFIERS_TSV)), trial + ": identifiers differ");
      case "enhance" -> assertEquals(Files.readString(ref.resolve("captions.jsonl")),
          Files.readString(out.resolve("captions.jsonl")), trial + ": enhanced captions differ");
      default -> throw new IllegalArgumentException(cmd);
    }
  }

  /** A started CLI process; its output goes to a log file beside its output directory. */
  record Proc(Process process, Path logFile) {
    int waitFor(long seconds) throws InterruptedException {
      if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
        kill();
        return -1;
      }
      return process.exitValue();
    }

    /** SIGKILL to the process and anything it started. */
    void kill() throws InterruptedException {
      process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor();
    }

    String log() throws IOException {
      return Files.readString(logFile, StandardCharsets.UTF_8);
    }
  }

  static int logs;

  static Proc start(String cmd, Path out, boolean again) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> c = new ArrayList<>(List.of(java, "--add-modules=jdk.incubator.vector", "-Xmx512m", "-jar", JAR.toString()));
    switch (cmd) {
      case "train" -> {
        c.addAll(List.of("train", "--data", data.toString(), "--out", out.toString(), "--device", BACKEND));
        c.addAll(List.of(TRAIN));
        if (again) c.add("--resume");
      }
      case "index" -> c.addAll(List.of("index", "--data", data.toString(), "--out", out.toString(), "--k", "6",
          "--epochs", "3", "--hidden", "32,16", "--latent-dim", "8", "--codebook-size", "16", "--seed", "7"));
      case "enhance" -> c.addAll(List.of("enhance", "--data", data.toString(), "--out", out.toString(),
          "--device", BACKEND));
      default -> throw new IllegalArgumentException(cmd);
    }
    Path log = root.resolve("log-" + (logs++) + "-" + cmd + ".txt");
    ProcessBuilder pb = new ProcessBuilder(c).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("CART_NO_RELAUNCH", "1");
    pb.environment().put("CART_BACKEND", BACKEND);
    return new Proc(pb.start(), log);
  }


  /** 30 items whose embeddings carry a colour and a thing, with train, val and test captions. */
  static void writeDataset(Path dir) {
    TinyDataset.write(dir, "kill9", null);
  }

  /** Temporary files left in or beside a directory (reported; they are harmless and removed by the next write). */
  static long leftovers(Path dir) throws IOException {
    long n = 0;
    try (Stream<Path> s = Files.list(dir.getParent())) {
      n += s.filter(p -> p.getFileName().toString().startsWith("." + dir.getFileName() + ".")).count();
    }
    if (!Files.isDirectory(dir)) return n;
    try (Stream<Path> s = Files.walk(dir)) {
      return n + s.filter(p -> p.getFileName().toString().endsWith(".tmp")).count();
    }
  }
}
