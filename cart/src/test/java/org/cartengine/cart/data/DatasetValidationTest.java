package org.cartengine.cart.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each rule of the dataset format (cart/data/package-info.java), broken once in an otherwise valid dataset; the error names file and line. */
class DatasetValidationTest {
  @TempDir Path tmp;
  Path dir;

  @BeforeEach
  void writeValid() throws IOException {
    dir = TestDatasets.writeSmall(tmp.resolve("ds"));
    assertEquals(3, Dataset.load(dir).size());
    // These tests edit the files by hand, as a user making a dataset would: without the writer's SHA256SUMS, which
    // would otherwise refuse every edit before the rule under test is reached.
    Files.delete(dir.resolve("SHA256SUMS"));
  }

  private void expect(String file, String message) {
    DatasetException e = assertThrows(DatasetException.class, () -> Dataset.load(dir));
    String want = dir.resolve(file) + message;
    assertEquals(want, e.getMessage());
  }

  private Path f(String name) {
    return dir.resolve(name);
  }

  @Test
  void shapeMustMatchItemsTsv() throws IOException {
    Files.writeString(f("items.tsv"), "a\t\nb\t\n");
    expect("items.tsv", ": 2 items but items.npy has 3 rows");
    Files.writeString(f("items.tsv"), "a\nb\nc\nd\n");
    expect("items.tsv", ":4: more items than the 3 rows of items.npy");
  }

  @Test
  void nanAndInfinityAreRejectedNamingTheRow() throws IOException {
    writeNpy(new float[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Float.NaN, 0});
    expect("items.npy", ": row 2 (id \"c\", items.tsv line 3) has NaN at column 2");
    writeNpy(new float[] {0, 0, 0, 0, 0, Float.NEGATIVE_INFINITY, 0, 0, 0, 0, 0, 0});
    expect("items.npy", ": row 1 (id \"b\", items.tsv line 2) has an infinite value at column 1");
  }

  private void writeNpy(float[] v) throws IOException {
    byte[] h = Npy.headerBytes(3, 4, Npy.Dtype.F4);
    ByteBuffer bb = ByteBuffer.allocate(h.length + 4 * v.length).order(ByteOrder.LITTLE_ENDIAN).put(h);
    for (float x : v) bb.putFloat(x);
    Files.write(f("items.npy"), bb.array());
  }

  @Test
  void duplicateIds() throws IOException {
    Files.writeString(f("items.tsv"), "a\t\nb\t\na\t\n");
    expect("items.tsv", ":3: duplicate id \"a\" (first on line 1)");
  }

  @Test
  void emptyIds() throws IOException {
    Files.writeString(f("items.tsv"), "a\t\n\tx.png\nc\t\n");
    expect("items.tsv", ":2: empty id");
    Files.writeString(f("items.tsv"), "a\t\n\nc\t\n");
    expect("items.tsv", ":2: empty id");
  }

  @Test
  void captionsOfUnknownItems() throws IOException {
    TestDatasets.replace(f("captions.jsonl"), "{\"item\":\"b\",\"text\":\"a banana\"", "{\"item\":\"x\",\"text\":\"a banana\"");
    expect("captions.jsonl", ":3: unknown item \"x\"");
  }

  @Test
  void unknownSplits() throws IOException {
    TestDatasets.replace(f("captions.jsonl"), "\"split\":\"val\"", "\"split\":\"validation\"");
    expect("captions.jsonl", ":4: unknown split \"validation\" (expected train, val or test)");
  }

  @Test
  void malformedJsonInCaptions() throws IOException {
    TestDatasets.replace(f("captions.jsonl"), "\"an apple\",", "\"an apple\" ");
    DatasetException e = assertThrows(DatasetException.class, () -> Dataset.load(dir));
    assertTrue(e.getMessage().startsWith(f("captions.jsonl") + ":2: malformed JSON: "), e.getMessage());
  }

  @Test
  void lenientJsonIsMalformed() throws IOException {
    TestDatasets.replace(f("captions.jsonl"), "{\"item\":\"a\",\"text\":\"an apple\"", "{item:'a',\"text\":\"an apple\"");
    DatasetException e = assertThrows(DatasetException.class, () -> Dataset.load(dir));
    assertTrue(e.getMessage().startsWith(f("captions.jsonl") + ":2: malformed JSON: "), e.getMessage());
    TestDatasets.replace(f("captions.jsonl"), "{item:'a',", "{\"item\":\"a\",");
    TestDatasets.replace(f("captions.jsonl"), "\"split\":\"test\"}\n", "\"split\":\"test\"} {}\n");
    e = assertThrows(DatasetException.class, () -> Dataset.load(dir));
    assertTrue(e.getMessage().startsWith(f("captions.jsonl") + ":2: malformed JSON: data after the value"),
        e.getMessage());
  }

  @Test
  void captionFieldsMustBeStrings() throws IOException {
    TestDatasets.replace(f("captions.jsonl"), "\"text\":\"a cherry\"", "\"text\":7");
    expect("captions.jsonl", ":5: \"text\" must be a string, got 7");
    TestDatasets.replace(f("captions.jsonl"), "\"text\":7,", "");
    expect("captions.jsonl", ":5: missing \"text\"");
  }

  @Test
  void malformedJsonInDatasetJson() throws IOException {
    TestDatasets.replace(f("dataset.json"), "\"modality\": \"image\",", "\"modality\": \"image\"");
    DatasetException e = assertThrows(DatasetException.class, () -> Dataset.load(dir));
    assertTrue(e.getMessage().startsWith(f("dataset.json") + ":4: malformed JSON: "), e.getMessage());
  }

  @Test
  void unknownModality() throws IOException {
    TestDatasets.replace(f("dataset.json"), "\"image\"", "\"smell\"");
    expect("dataset.json", ": unknown modality \"smell\" (expected image, audio or video)");
  }

  @Test
  void unsupportedDtype() throws IOException {
    byte[] h = Npy.headerBytes(3, 4, Npy.Dtype.F4);
    String s = new String(h, java.nio.charset.StandardCharsets.ISO_8859_1).replace("<f4", "<f8");
    ByteBuffer bb = ByteBuffer.allocate(h.length + 8 * 12).put(s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    Files.write(f("items.npy"), bb.array());
    expect("items.npy", ": unsupported dtype '<f8' (expected '<f4' float32 or '<f2' float16)");
  }

  @Test
  void datasetJsonMustAgreeWithNpy() throws IOException {
    TestDatasets.replace(f("dataset.json"), "\"dim\": 4", "\"dim\": 5");
    expect("dataset.json", ": \"dim\" is 5 but items.npy has 4 columns");
    TestDatasets.replace(f("dataset.json"), "\"dim\": 5", "\"dim\": 4");
    TestDatasets.replace(f("dataset.json"), "\"items\": 3", "\"items\": 2");
    expect("dataset.json", ": \"items\" is 2 but items.npy has 3 rows");
    TestDatasets.replace(f("dataset.json"), "\"items\": 2", "\"items\": 2.5");
    expect("dataset.json", ": \"items\" must be a non-negative integer, got 2.5");
  }

  @Test
  void missingFiles() throws IOException {
    Files.delete(f("captions.jsonl"));
    expect("captions.jsonl", ": missing");
    assertThrows(DatasetException.class, () -> Dataset.load(tmp.resolve("nope")));
  }

  @Test
  void invalidUtf8() throws IOException {
    Files.write(f("items.tsv"), new byte[] {'a', '\n', (byte) 0xff, '\n', 'c', '\n'});
    DatasetException e = assertThrows(DatasetException.class, () -> Dataset.load(dir));
    assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
  }
}
