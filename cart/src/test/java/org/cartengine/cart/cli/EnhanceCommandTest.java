package org.cartengine.cart.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.cartengine.cart.data.Caption;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.data.DatasetWriter;
import org.cartengine.cart.data.DatasetInfo;
import org.cartengine.cart.data.Embeddings;
import org.cartengine.cart.data.Split;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code cart enhance} writes a valid dataset with tagged pseudo-queries and prints what each method added. */
class EnhanceCommandTest {
  @TempDir Path tmp;

  private Path small() {
    Path dir = tmp.resolve("in");
    float[] v = {1, 0, 0.9f, 0.1f, 0, 1, 0.1f, 0.9f};
    List<Caption> caps = List.of(new Caption(0, null, "dog face", Split.TRAIN), new Caption(0, null, "happy", Split.TRAIN),
        new Caption(2, null, "red apple", Split.TRAIN), new Caption(2, null, "fruit", Split.TRAIN),
        new Caption(1, null, "a dog", Split.TEST), new Caption(3, null, "an apple", Split.VAL));
    DatasetWriter.write(dir, DatasetInfo.of("tiny", "image", "made up", "made up", "CC0"), List.of("a", "b", "c", "d"), null,
        null, Embeddings.of(v, 4, 2), caps);
    return dir;
  }

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter(), err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void writesTheEnhancedDatasetAndReportsCounts() {
    Path in = small(), out = tmp.resolve("out");
    Run r = run("enhance", "--data", in.toString(), "--out", out.toString(), "--neighbours", "1", "--seed", "3");
    assertEquals(0, r.code(), r.err());
    for (String s : List.of("neighbour-transfer", "recombination", "wordnet", "examples of", "items without a train caption: 2, of which 2 got some")) {
      assertTrue(r.out().contains(s), "output lacks \"" + s + "\":\n" + r.out());
    }
    Dataset d = Dataset.load(out);
    assertTrue(d.captions(Split.TRAIN).size() > 4);
    assertTrue(d.captions(Split.TRAIN).stream().skip(4).allMatch(c -> c.source() != null));
    assertEquals(1, d.captions(Split.TEST).size());
    assertEquals(1, d.captions(Split.VAL).size());
  }

  @Test
  void methodsOffAddNothing() {
    Path in = small(), out = tmp.resolve("out");
    Run r = run("enhance", "--data", in.toString(), "--out", out.toString(), "--no-transfer", "--no-recombination",
        "--no-wordnet");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().matches("(?s).*total\\s+0\\b.*"), r.out());
    assertEquals(4, Dataset.load(out).captions(Split.TRAIN).size());
  }

  @Test
  void refusesToOverwriteItsInputAndNamesBadInput() {
    Path in = small();
    assertEquals(2, run("enhance", "--data", in.toString(), "--out", in.toString()).code());
    Run r = run("enhance", "--data", tmp.resolve("nope").toString(), "--out", tmp.resolve("o").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("nope"), r.err());
  }
}
