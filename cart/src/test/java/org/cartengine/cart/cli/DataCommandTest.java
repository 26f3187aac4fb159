package org.cartengine.cart.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DataCommandTest {
  @TempDir Path tmp;

  record Result(int code, String out, String err) {}

  static Result cart(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  static String fixture(String path) {
    try {
      return Path.of(DataCommandTest.class.getResource("/fixtures/" + path).toURI()).toString();
    } catch (URISyntaxException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void checkSummarisesTheEmbeddedDataset() throws IOException {
    Result r = cart("data", "check", "emoji");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("items                                           1911"), r.out());
    assertTrue(r.out().contains("float16"), r.out());
    assertTrue(r.out().endsWith("OK: valid dataset (format version 1)\n"), r.out());
    // the committed SUMMARY.txt is this command's output
    try (InputStream in = DataCommandTest.class.getResourceAsStream("/datasets/emoji/SUMMARY.txt")) {
      assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), r.out(),
          "regenerate with: java -jar cart/target/cart-engine.jar data check emoji > "
              + "cart/src/main/resources/datasets/emoji/SUMMARY.txt");
    }
  }

  @Test
  void importThenCheck() throws IOException {
    Path out = tmp.resolve("flickr");
    Result imp = cart("data", "import", "karpathy", fixture("karpathy/dataset_flickr30k.json"),
        "--embeddings", fixture("karpathy/images.npy"), "-o", out.toString(), "--dtype", "float16");
    assertEquals(0, imp.code(), imp.err());
    assertTrue(imp.out().contains("5 items x 4, 7 captions (train 4, val 2, test 1)"), imp.out());
    Result check = cart("data", "check", out.toString());
    assertEquals(0, check.code(), check.err());
    assertTrue(check.out().contains("float16"), check.out());

    Files.writeString(out.resolve("captions.jsonl"), "{\"item\":\"1000092795.jpg\",\"text\":\"x\",\"split\":\"train\"}\n"
        + "{\"item\":\"nope.jpg\",\"text\":\"y\",\"split\":\"train\"}\n");
    // The import wrote SHA256SUMS: an edited file is refused by its checksum first ...
    Result changed = cart("data", "check", out.toString());
    assertEquals(2, changed.code());
    assertTrue(changed.err().contains(out.resolve("captions.jsonl") + ": SHA-256 mismatch"), changed.err());
    // ... and, the manifest removed (an edit on purpose), by the rule it breaks.
    Files.delete(out.resolve("SHA256SUMS"));
    Result bad = cart("data", "check", out.toString());
    assertEquals(2, bad.code());
    assertEquals("invalid dataset: " + out.resolve("captions.jsonl") + ":2: unknown item \"nope.jpg\"\n",
        bad.err().replace(System.lineSeparator(), "\n"));
  }

  @Test
  void importErrorsAreUserErrors() {
    Result r = cart("data", "import", "clotho", "--embeddings", fixture("clotho/embeddings.npy"), "--names",
        fixture("clotho/names.txt"), "-o", tmp.resolve("c").toString());
    assertEquals(2, r.code(), "a user's mistake exits 2 in every command: " + r.err());
    assertTrue(r.err().contains("give at least one of --train, --val, --test"), r.err());
  }
}
