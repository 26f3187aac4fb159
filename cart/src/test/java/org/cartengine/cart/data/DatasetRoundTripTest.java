package org.cartengine.cart.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetRoundTripTest {
  @TempDir Path tmp;

  @Provide
  Arbitrary<String> texts() {
    // any text without line breaks in ids; captions may hold quotes, backslashes, tabs, newlines, emoji
    return Arbitraries.strings().withChars("ab \t\"\\\n<>'éжß").ofMinLength(1).ofMaxLength(12)
        .filter(s -> !s.isBlank());
  }

  /** For any items, captions and values, write then load gives the same dataset (float16 rounded). */
  @Property(tries = 30)
  void writeThenLoadIsIdentity(@ForAll @IntRange(min = 1, max = 12) int n, @ForAll @IntRange(max = 6) int dim,
      @ForAll("texts") String text, @ForAll boolean half, @ForAll long seed) throws IOException {
    Random r = new Random(seed);
    List<String> ids = new ArrayList<>();
    List<String> media = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add("id " + i + (i % 3 == 0 ? "é" : ""));
      media.add(i % 2 == 0 ? "" : "m/" + i + ".jpg");
      labels.add(i % 4 == 1 ? "label\twith tab " + i : "");
    }
    List<Caption> caps = new ArrayList<>();
    for (int k = 0; k < 3 * n; k++) {
      int item = r.nextInt(n);
      Split s = Split.values()[r.nextInt(3)];
      caps.add(new Caption(item, ids.get(item), text + "😀" + k, s, k % 5 == 0 ? "wordnet" : null));
    }
    float[] v = NpyTest.randomValues(n * dim, seed);
    JsonObject extra = new JsonObject();
    extra.addProperty("splits_rule", "random");
    extra.add("nested", new JsonObject());
    DatasetInfo info = new DatasetInfo("rt", "audio", dim, n, "enc", "src", "lic", extra);
    Path root = TestDatasets.tempDir();
    Path dir = root.resolve("rt");
    Npy.Dtype dtype = half ? Npy.Dtype.F2 : Npy.Dtype.F4;
    DatasetWriter.write(dir, info, ids, media, labels, Embeddings.of(v, n, dim), caps, dtype);

    Dataset d = Dataset.load(dir);
    assertEquals(info, d.info());
    assertEquals(dtype, d.dtype());
    assertEquals(n, d.size());
    assertEquals(dim, d.dim());
    for (int i = 0; i < n; i++) {
      assertEquals(ids.get(i), d.id(i));
      assertEquals(i, d.indexOf(ids.get(i)));
      assertEquals(media.get(i), d.mediaPath(i));
      assertEquals(labels.get(i), d.label(i));
    }
    assertEquals(caps, d.captions());
    for (Split s : Split.values()) {
      assertEquals(caps.stream().filter(c -> c.split() == s).toList(), d.captions(s));
    }
    assertArrayEquals(half ? NpyTest.roundedToHalf(v) : v, d.embeddings().toArray());
    assertEquals(-1, d.indexOf("no such id"));
    TestDatasets.deleteTree(root);
  }

  @Test
  void overwritingKeepsOtherFilesAndLeavesNoTemporaries() throws IOException {
    Path dir = TestDatasets.writeSmall(tmp.resolve("ds"));
    Files.createDirectories(dir.resolve("img"));
    Files.writeString(dir.resolve("img/a.png"), "media");
    Dataset d = Dataset.load(dir);
    d.withCaptions(d.captions(Split.TEST)).save(dir);
    Dataset again = Dataset.load(dir);
    assertEquals(2, again.captions().size());
    assertEquals("media", Files.readString(dir.resolve("img/a.png")));
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(List.of(dir), s.toList(), "no temporary directory left next to the dataset");
    }
  }

  @Test
  void aRejectedWriteLeavesNothing() {
    Path dir = tmp.resolve("never");
    float[] v = {1, Float.NaN};
    DatasetException e = assertThrows(DatasetException.class, () -> DatasetWriter.write(dir,
        DatasetInfo.of("x", "image", null, null, null), List.of("a", "b"), null, null, Embeddings.of(v, 2, 1),
        List.of()));
    assertTrue(e.getMessage().contains("row 1 (id \"b\""), e.getMessage());
    assertFalse(Files.exists(dir));
  }

  @Test
  void writerRejectsBadIds() {
    for (List<String> ids : List.of(List.of("a", "a"), List.of("a", ""), List.of("a", "b\tc"), List.of("a\n", "b"))) {
      DatasetException e = assertThrows(DatasetException.class, () -> DatasetWriter.write(tmp.resolve("x"),
          DatasetInfo.of("x", "image", null, null, null), ids, null, null, Embeddings.of(new float[2], 2, 1),
          List.of()));
      assertTrue(e.getMessage().contains("items.tsv:"), e.getMessage());
    }
  }

  @Test
  void writerRejectsUnpairedSurrogates() {
    DatasetException e = assertThrows(DatasetException.class, () -> DatasetWriter.write(tmp.resolve("x"),
        DatasetInfo.of("x", "image", null, null, null), List.of("a"), null, null, Embeddings.of(new float[1], 1, 1),
        List.of(new Caption(0, "a", "half an emoji \ud83d", Split.TRAIN))));
    assertTrue(e.getMessage().endsWith("captions.jsonl:1: text is not valid Unicode (unpaired surrogate)"),
        e.getMessage());
  }

  @Test
  void writerRejectsCaptionsOfUnknownItems() {
    DatasetException e = assertThrows(DatasetException.class, () -> DatasetWriter.write(tmp.resolve("x"),
        DatasetInfo.of("x", "image", null, null, null), List.of("a"), null, null, Embeddings.of(new float[1], 1, 1),
        List.of(new Caption(0, "a", "ok", Split.TRAIN), new Caption(0, "zz", "bad", Split.TRAIN))));
    assertTrue(e.getMessage().endsWith("captions.jsonl:2: unknown item \"zz\""), e.getMessage());
  }

  @Test
  void infoKeepsUnknownKeysInOrder() throws IOException {
    Path dir = TestDatasets.writeSmall(tmp.resolve("ds"));
    Files.delete(dir.resolve("SHA256SUMS")); // edited by hand below
    TestDatasets.replace(dir.resolve("dataset.json"), "\"name\"", "\"zeta\": [1, 2],\n  \"name\"");
    DatasetInfo info = Dataset.load(dir).info();
    assertEquals("[1,2]", info.extra().get("zeta").toString());
    DatasetInfo more = info.withExtra("alpha", new JsonPrimitive("x"));
    assertEquals(List.of("zeta", "alpha"), new ArrayList<>(more.extra().keySet()));
  }
}
