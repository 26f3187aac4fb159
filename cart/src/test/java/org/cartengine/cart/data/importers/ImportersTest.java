package org.cartengine.cart.data.importers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.cartengine.cart.data.Caption;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.data.DatasetException;
import org.cartengine.cart.data.Npy;
import org.cartengine.cart.data.Split;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each importer on the synthetic fixtures in src/test/resources/fixtures (shapes of the real files). */
class ImportersTest {
  @TempDir Path tmp;

  static Path fixture(String path) {
    try {
      return Path.of(ImportersTest.class.getResource("/fixtures/" + path).toURI());
    } catch (URISyntaxException e) {
      throw new AssertionError(e);
    }
  }

  /** Row r of every fixture .npy holds r + 1 + c / 10 in column c. */
  static void assertRowIs(Dataset d, String id, int fixtureRow) {
    float[] row = d.embeddings().row(d.indexOf(id));
    for (int c = 0; c < row.length; c++) assertEquals(fixtureRow + 1 + c / 10f, row[c], 1e-2, id + " column " + c);
  }

  static List<String> texts(Dataset d, String id, Split s) {
    return d.captions(s).stream().filter(c -> c.itemId().equals(id)).map(Caption::text).toList();
  }

  @Test
  void karpathy() {
    Path out = tmp.resolve("flickr");
    ImportReport r = KarpathyImporter.run(ImportOptions.of(fixture("karpathy/images.npy"), null, out),
        fixture("karpathy/dataset_flickr30k.json"));
    Dataset d = Dataset.load(out);
    assertEquals("flickr30k", d.info().name());
    assertEquals("image", d.info().modality());
    assertEquals(5, d.size());
    assertEquals(4, d.dim());
    assertEquals(List.of("1000092795.jpg", "10002456.jpg", "1000268201.jpg", "1000344755.jpg",
        "COCO_val2014_000000391895.jpg"), d.ids());
    assertEquals("val2014/COCO_val2014_000000391895.jpg", d.mediaPath(4));
    assertEquals("1000092795.jpg", d.mediaPath(0));
    for (int i = 0; i < 5; i++) assertRowIs(d, d.id(i), i);
    assertEquals(List.of("Several men in hard hats are operating a giant pulley system."),
        texts(d, "10002456.jpg", Split.TRAIN), "restval is train");
    assertEquals(2, texts(d, "1000268201.jpg", Split.VAL).size());
    assertEquals(List.of("someone in a blue shirt and hat"), texts(d, "1000344755.jpg", Split.TEST),
        "tokens joined when raw is absent");
    assertEquals(List.of("A man with a red helmet on a small moped on a dirt road."),
        texts(d, "COCO_val2014_000000391895.jpg", Split.TRAIN), "stripped");
    assertEquals(Map.of(Split.TRAIN, 4, Split.VAL, 2, Split.TEST, 1), r.captions());
    assertEquals(Npy.Dtype.F4, d.dtype());
  }

  @Test
  void karpathyNeedsOneRowPerImage() {
    DatasetException e = assertThrows(DatasetException.class, () -> KarpathyImporter.run(
        ImportOptions.of(fixture("audiocaps/embeddings.npy"), null, tmp.resolve("x")),
        fixture("karpathy/dataset_flickr30k.json")));
    assertTrue(e.getMessage().contains("dataset_flickr30k.json: 5 images but"), e.getMessage());
  }

  @Test
  void karpathyRejectsUnknownSplitsNamingTheImage() throws IOException {
    Path json = tmp.resolve("dataset_coco.json");
    Files.writeString(json, Files.readString(fixture("karpathy/dataset_flickr30k.json"))
        .replace("\"split\": \"val\"", "\"split\": \"holdout\""));
    DatasetException e = assertThrows(DatasetException.class, () -> KarpathyImporter.run(
        ImportOptions.of(fixture("karpathy/images.npy"), null, tmp.resolve("x")), json));
    assertTrue(e.getMessage().startsWith(json + ":1: images[2] (\"1000268201.jpg\"): unknown split \"holdout\""),
        e.getMessage());
  }

  Map<Split, Path> clothoCsvs() {
    Map<Split, Path> m = new EnumMap<>(Split.class);
    m.put(Split.TRAIN, fixture("clotho/clotho_captions_development.csv"));
    m.put(Split.VAL, fixture("clotho/clotho_captions_validation.csv"));
    m.put(Split.TEST, fixture("clotho/clotho_captions_evaluation.csv"));
    return m;
  }

  @Test
  void clotho() {
    Path out = tmp.resolve("clotho");
    ImportReport r = ClothoImporter.run(ImportOptions.of(fixture("clotho/embeddings.npy"),
        fixture("clotho/names.txt"), out), clothoCsvs());
    Dataset d = Dataset.load(out);
    assertEquals("audio", d.info().modality());
    assertEquals(List.of("Distorted AM Radio noise.wav", "water_drops.wav", "birds.wav", "rain.wav", "unused.wav"),
        d.ids());
    assertEquals(Npy.Dtype.F2, d.dtype(), "float16 input stays float16");
    for (int i = 0; i < 5; i++) assertRowIs(d, d.id(i), i);
    assertEquals(List.of("A radio dial is being turned.", "Static, then a voice.", "She said \"hello\" twice.",
        "Noise hisses."), texts(d, "Distorted AM Radio noise.wav", Split.TRAIN));
    assertTrue(texts(d, "birds.wav", Split.VAL).contains("A bird sings,\nthen stops."));
    assertEquals(5, texts(d, "rain.wav", Split.TEST).size());
    assertEquals(1, r.emptyCaptions());
    assertEquals(5, r.skippedCaptions(), "missing.wav has no row");
    assertEquals(List.of("missing.wav"), r.skippedExamples());
    assertEquals(1, r.itemsWithoutCaptions());
    assertEquals(Map.of(Split.TRAIN, 9, Split.VAL, 5, Split.TEST, 5), r.captions());
  }

  @Test
  void clothoStrictNamesTheCsvLine() {
    ImportOptions strict = new ImportOptions(fixture("clotho/embeddings.npy"), fixture("clotho/names.txt"),
        tmp.resolve("x"), null, null, null, null, null, true, Npy.Dtype.F4);
    DatasetException e = assertThrows(DatasetException.class, () -> ClothoImporter.run(strict, clothoCsvs()));
    assertTrue(e.getMessage().startsWith(fixture("clotho/clotho_captions_evaluation.csv") + ":3: no row"),
        e.getMessage());
  }

  @Test
  void audioCaps() {
    Map<Split, Path> csvs = new EnumMap<>(Split.class);
    csvs.put(Split.TRAIN, fixture("audiocaps/train.csv"));
    csvs.put(Split.VAL, fixture("audiocaps/val.csv"));
    csvs.put(Split.TEST, fixture("audiocaps/test.csv"));
    Path out = tmp.resolve("audiocaps");
    ImportOptions opt = new ImportOptions(fixture("audiocaps/embeddings.npy"), fixture("audiocaps/names.txt"), out,
        null, "fixture vectors", null, "CC-BY 4.0", "audio/{name}.wav", false, Npy.Dtype.F2);
    ImportReport r = AudioCapsImporter.run(opt, csvs);
    Dataset d = Dataset.load(out);
    assertEquals(List.of("r1nicOVtvkQ", "UDGBjjwyaqE", "-0Gj8-vB1q4", "zyXWvuT_123"), d.ids());
    assertEquals("audio/-0Gj8-vB1q4.wav", d.mediaPath(2));
    assertEquals(Npy.Dtype.F2, d.dtype());
    assertEquals("fixture vectors", d.info().encoder());
    assertEquals(List.of("A woman talks nearby as water pours"), texts(d, "r1nicOVtvkQ", Split.TRAIN));
    assertEquals(5, texts(d, "-0Gj8-vB1q4", Split.VAL).size());
    assertEquals("A car engine, revving", texts(d, "zyXWvuT_123", Split.TEST).get(1));
    assertEquals(1, r.skippedCaptions());
    assertEquals(List.of("gonetube000"), r.skippedExamples());
    assertRowIs(d, "zyXWvuT_123", 3);
  }

  @Test
  void msrVtt() {
    Path out = tmp.resolve("msrvtt");
    List<Path> jsons = List.of(fixture("msrvtt/train_val_videodatainfo.json"),
        fixture("msrvtt/test_videodatainfo.json"));
    ImportReport r = MsrVttImporter.run(ImportOptions.of(fixture("msrvtt/embeddings.npy"),
        fixture("msrvtt/names.txt"), out), jsons, Map.of());
    Dataset d = Dataset.load(out);
    assertEquals("video", d.info().modality());
    assertEquals(List.of("video0", "video1", "video2", "video3", "video4"), d.ids());
    assertEquals(List.of("a car is shown", "a red car drives on a road"), texts(d, "video0", Split.TRAIN));
    assertEquals(List.of("people dance at a party"), texts(d, "video2", Split.VAL), "validate is val");
    assertEquals(2, texts(d, "video4", Split.TEST).size());
    assertEquals(Map.of(Split.TRAIN, 3, Split.VAL, 1, Split.TEST, 3), r.captions());
    for (int i = 0; i < 5; i++) assertRowIs(d, "video" + i, i);

    MsrVttImporter.run(ImportOptions.of(fixture("msrvtt/embeddings.npy"), fixture("msrvtt/names.txt"), out), jsons,
        Map.of(Split.TEST, fixture("msrvtt/test_ids.txt")));
    Dataset moved = Dataset.load(out);
    assertEquals(List.of("a man is cooking"), texts(moved, "video1", Split.TEST), "--test-ids overrides the JSON");
  }

  @Test
  void namesMustMatchTheRowCount() {
    DatasetException e = assertThrows(DatasetException.class, () -> MsrVttImporter.run(
        ImportOptions.of(fixture("audiocaps/embeddings.npy"), fixture("msrvtt/names.txt"), tmp.resolve("x")),
        List.of(fixture("msrvtt/test_videodatainfo.json")), Map.of()));
    assertEquals(fixture("msrvtt/names.txt") + ": 5 names for the 4 rows of the embeddings", e.getMessage());
  }

  @Test
  void csvParsesQuotesLineBreaksAndCrlf() {
    Csv dev = Csv.read(fixture("clotho/clotho_captions_development.csv"));
    assertEquals(2, dev.rows.size());
    assertEquals(List.of("Distorted AM Radio noise.wav", "A radio dial is being turned.", "Static, then a voice.",
        "She said \"hello\" twice.", "Noise hisses.", ""), dev.rows.get(0).fields());
    Csv val = Csv.read(fixture("clotho/clotho_captions_validation.csv"));
    assertEquals(2, val.rows.get(0).line());
  }

  @Test
  void csvCountsLinesAcrossQuotedLineBreaks() throws IOException {
    Path f = tmp.resolve("c.csv");
    Files.writeString(f, "file_name,caption_1\na.wav,\"two\nlines\"\nb.wav,x\nc.wav,\"open");
    DatasetException e = assertThrows(DatasetException.class, () -> Csv.read(f));
    assertEquals(f + ":5: unterminated quoted field", e.getMessage());
    Files.writeString(f, "file_name,caption_1\na.wav,\"two\nlines\"\nb.wav,x\n");
    assertArrayEquals(new int[] {2, 4}, Csv.read(f).rows.stream().mapToInt(Csv.Row::line).toArray());
  }
}
