package org.cartengine.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cartengine.cart.cli.Main;
import org.cartengine.cart.run.RunDir;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.cartengine.tests.TinyDataset;

/** The CLI end to end on a small synthetic dataset with short training: index, train, eval (with the baseline), search, enhance, data check. */
class CliEndToEndTest {
  static Path data;
  static Path runs;

  @BeforeAll
  static void dataset() throws Exception {
    data = Files.createTempDirectory("cart-e2e").resolve("tiny");
    TinyDataset.write(data, "tiny", i -> "");
    runs = Files.createTempDirectory("cart-e2e-runs");
  }

  static String run(int expectExit, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    System.setOut(new PrintStream(out, true));
    int code;
    try {
      code = Main.commandLine().execute(args);
    } finally {
      System.setOut(old);
    }
    String s = out.toString();
    System.out.println(s);
    assertEquals(expectExit, code, "exit code of " + String.join(" ", args) + "\n" + s);
    return s;
  }

  static final String[] SMALL = {"--minutes", "0", "--epochs", "3", "--d-model", "16", "--heads", "2", "--ffn", "32", "--encoder-layers", "2",
      "--decoder-layers", "1", "--batch-size", "16", "--beam", "5", "--vocab", "200"};

  static String[] with(String[] base, String... more) {
    List<String> l = new ArrayList<>(List.of(more));
    l.addAll(List.of(base));
    return l.toArray(new String[0]);
  }

  @Test
  void trainEvalSearchAndFriends() throws Exception {
    Path run = runs.resolve("tiny");
    // The paper's identifiers (auto picks atomic ones on a corpus where every item has a caption; see SchemeChoiceTest).
    String train = run(0, with(SMALL, "train", "--data", data.toString(), "--out", run.toString(), "--scheme", "cart"));
    assertTrue(train.contains("CART") && train.contains("dual tower"), train);
    JsonObject m = JsonParser.parseString(Files.readString(run.resolve(RunDir.METRICS_JSON))).getAsJsonObject();
    assertTrue(m.getAsJsonObject("cart").has("R@1") && m.getAsJsonObject("dual_tower").has("MRR@10"), m.toString());
    assertTrue(Files.exists(run.resolve(RunDir.TRAINING_PNG)) && Files.exists(run.resolve(RunDir.BEST_WEIGHTS)) && Files.exists(run.resolve(RunDir.INDEX_DIR)));
    // Every text tower was tried on val for the re-rank, at every weight of the caption-space guide; the chosen one is
    // what eval and search load.
    String note = m.getAsJsonObject("cart_rerank").get("note").getAsString();
    for (String tower : new String[] {"aligner", "dual-tower", "captions", "captions+dual-tower"})
      for (String guide : new String[] {"0.00", "0.25", "0.50", "1.00"}) assertTrue(note.contains(tower + " guide " + guide + " w"), tower + " " + guide + ": " + note);
    assertTrue(m.getAsJsonObject("caption_match").has("R@1") && m.getAsJsonObject("val").has("cart_rerank_R@1"), m.toString());
    String chosen = JsonParser.parseString(Files.readString(run.resolve(RunDir.RERANK_JSON))).getAsJsonObject().get("tower").getAsString();
    assertTrue(note.startsWith(chosen + " tower"), chosen + " / " + note);

    String eval = run(0, "eval", "--run", run.toString(), "--baseline", "dual-tower", "--baseline-seconds", "2", "--beam", "5");
    assertTrue(eval.contains("R@1") && eval.contains("dual tower"), eval);
    assertTrue(Files.exists(run.resolve("eval-test.json")));

    String search = run(0, "search", "--run", run.toString(), "-k", "3", "red cat");
    assertTrue(search.contains("query: red cat") && search.contains("item"), search);

    // The run's identifiers live in the caption space: index --add cannot place items there and says so.
    java.io.StringWriter addErr = new java.io.StringWriter();
    picocli.CommandLine addCl = Main.commandLine();
    addCl.setErr(new java.io.PrintWriter(addErr, true));
    assertEquals(2, addCl.execute("index", "--add", "--data", data.toString(), "--out", run.resolve("index").toString()));
    assertTrue(addErr.toString().contains("caption space"), addErr.toString());

    // Resuming a finished run trains no further epoch and reproduces its metrics file.
    run(0, with(SMALL, "train", "--data", data.toString(), "--out", run.toString(), "--resume", "--no-baseline", "--scheme", "cart"));

    run(0, "index", "--data", data.toString(), "--out", runs.resolve("idx").toString(), "--scheme", "hkmeans");
    run(0, "enhance", "--data", data.toString(), "--out", runs.resolve("enhanced").toString());
    run(0, "data", "check", runs.resolve("enhanced").toString());
    String captionSpace = run(0, "enhance", "--data", data.toString(), "--out", runs.resolve("enhanced-captions").toString(), "--neighbour-space", "captions");
    assertTrue(captionSpace.contains("neighbour space: all-MiniLM-L6-v2 caption space of 30 items"), captionSpace);
  }

  @Test
  void ablateWithBaselineRows() throws Exception {
    Path root = runs.resolve("ablate");
    String out = run(0, with(SMALL, "ablate", "--data", data.toString(), "--out", root.toString(), "--rows", "cart,atomic", "--baseline",
        "caption-match,dual-tower"));
    List<String> lines = out.lines().toList();
    for (String row : new String[] {"CART (semantic ids)", "CART (atomic ids)", "caption match (all-MiniLM-L6-v2, no training)", "dual tower (frozen all-MiniLM-L6-v2"})
      assertEquals(1, lines.stream().filter(l -> l.contains(row)).count(), row + " once in\n" + out);
    assertTrue(Files.readString(root.resolve("ablation.md")).contains("caption match"), "the saved table holds the baseline rows");
    assertOneLineError("--baseline", "ablate", "--data", data.toString(), "--out", root.resolve("x").toString(), "--baseline", "bm25");
  }

  @Test
  void badInputGivesClearErrors() {
    String missingRun = runs.resolve("missing").toString();
    assertOneLineError(missingRun, "eval", "--run", missingRun);
    String missingData = runs.resolve("no-such-dataset").toString();
    assertOneLineError(missingData, "train", "--data", missingData, "--minutes", "0", "--epochs", "1");
  }

  /** Exit 2 and, on stderr, exactly one {@code error:} line that names {@code what}, and no stack trace. */
  static void assertOneLineError(String what, String... args) {
    java.io.StringWriter err = new java.io.StringWriter();
    picocli.CommandLine cl = Main.commandLine();
    cl.setErr(new java.io.PrintWriter(err, true));
    int code = cl.execute(args);
    String e = err.toString();
    assertEquals(2, code, String.join(" ", args) + "\n" + e);
    List<String> errors = e.lines().filter(l -> l.startsWith("error:")).toList();
    assertEquals(1, errors.size(), e);
    assertTrue(errors.get(0).contains(what), "the error should name " + what + ": " + e);
    assertTrue(e.lines().noneMatch(l -> l.startsWith("\tat ") || l.startsWith("internal error")), e);
  }
}
