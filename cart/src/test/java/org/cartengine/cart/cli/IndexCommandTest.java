package org.cartengine.cart.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cartengine.cart.ids.IndexStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexCommandTest {
  @TempDir Path tmp;

  static final String[] SMALL = {"--dim", "16", "--k", "8", "--codebook-size", "8", "--latent-dim", "4", "--hidden", "16,8", "--epochs", "2"};

  static String[] args(String... a) {
    String[] out = java.util.Arrays.copyOf(a, a.length + SMALL.length);
    System.arraycopy(SMALL, 0, out, a.length, SMALL.length);
    return out;
  }

  @Test
  void buildsPrintsStatisticsAndAddsNewItemsWithoutChangingOldOnes() throws Exception {
    Path out = tmp.resolve("idx");
    DataCommandTest.Result r = DataCommandTest.cart(args("index", "--synthetic", "300", "--out", out.toString()));
    assertEquals(0, r.code(), r.err());
    for (String s : List.of("items                    300", "collision rate (u > 0)", "largest u", "utilisation", "perplexity", "reconstruction error", "bytes/item"))
      assertTrue(r.out().contains(s), "missing '" + s + "' in:\n" + r.out());
    List<String> before = Files.readAllLines(out.resolve(IndexStore.IDENTIFIERS_TSV));
    assertEquals("item_id\tk\tv1\tv2\tu", before.get(0));
    assertEquals(301, before.size());

    // The same seed regenerates the first 300 rows exactly; only the 50 new ones are added.
    DataCommandTest.Result a = DataCommandTest.cart(args("index", "--add", "--synthetic", "350", "--out", out.toString()));
    assertEquals(0, a.code(), a.err());
    assertTrue(a.out().contains("added 50 new items to 300"), a.out());
    List<String> after = Files.readAllLines(out.resolve(IndexStore.IDENTIFIERS_TSV));
    assertEquals(351, after.size());
    assertEquals(before, after.subList(0, 301));
  }

  @Test
  void rejectsAnUnknownSchemeAndAMismatchedAdd() {
    DataCommandTest.Result r = DataCommandTest.cart(args("index", "--synthetic", "50", "--scheme", "nope", "--out", tmp.toString()));
    assertEquals(2, r.code());
    assertTrue(r.err().contains("unknown identifier scheme 'nope'"), r.err());
    DataCommandTest.Result a = DataCommandTest.cart(args("index", "--add", "--synthetic", "50", "--out", tmp.resolve("none").toString()));
    assertEquals(2, a.code());
    assertTrue(a.err().contains("holds no index"), a.err());
  }

  @Test
  void theRqVaeLearningRateReachesTheSavedConfigUnderBothNames() throws Exception {
    // --index-lr is shared with train and ablate (the paper's schedule, 1e-4); index keeps --lr, its former name.
    for (String flag : List.of("--index-lr", "--lr")) {
      Path out = tmp.resolve("lr" + flag.length());
      DataCommandTest.Result r = DataCommandTest.cart(args("index", "--synthetic", "100", flag, "1.5e-4", "--out", out.toString()));
      assertEquals(0, r.code(), r.err());
      String json = Files.readString(out.resolve(IndexStore.INDEX_JSON));
      assertTrue(json.contains("\"lr\": 1.5E-4"), flag + ": " + json);
    }
  }
}
