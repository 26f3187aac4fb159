package org.cartengine.tests.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.reference.ReferenceBackend;
import org.cartengine.engine.io.AtomicFiles;
import org.cartengine.engine.io.Manifest;
import org.cartengine.engine.io.Safetensors;
import org.cartengine.engine.io.SealedJson;
import org.cartengine.engine.nn.Linear;
import org.cartengine.engine.nn.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every file the project writes carries a SHA-256 and every reader refuses a file that does not match it: each byte
 * of a checkpoint's header flipped in turn, bytes of its weights, the JSON files, the directory manifests. Files from
 * before checksums load with a warning.
 */
class IntegrityTest {
  private final Backend be = new ReferenceBackend();
  @TempDir Path tmp;

  private Map<String, Tensor> tensors() {
    Map<String, Tensor> t = new LinkedHashMap<>();
    t.put("enc.weight", Tensor.randn(be, DType.F32, new Random(1), 1, 4, 3));
    t.put("enc.bias", Tensor.randn(be, DType.F32, new Random(2), 1, 4));
    t.put("steps", Tensor.ofInts(be, new int[] {7, 8}, 2));
    return t;
  }

  private static byte[] flip(byte[] b, int... at) {
    byte[] c = b.clone();
    for (int i : at) c[i] ^= 0x5a;
    return c;
  }

  private static long headerLength(byte[] b) {
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
  }

  @Test
  void everyFlippedByteOfACheckpointHeaderIsRefused() throws IOException {
    Path f = tmp.resolve("weights.safetensors");
    Safetensors.write(f, tensors(), Map.of("config", "{\"d\":4}"));
    byte[] good = Files.readAllBytes(f);
    assertEquals(3, Safetensors.read(f, be).size());
    int end = (int) (8 + headerLength(good));
    for (int i = 0; i < end; i++) {
      Files.write(f, flip(good, i));
      IOException e = assertThrows(IOException.class, () -> Safetensors.read(f, be), "flip at byte " + i + " was loaded");
      assertTrue(e.getMessage().startsWith(f.toString()) && !e.getMessage().contains("\n"), e.getMessage());
    }
    System.out.println("integrity: " + end + " checkpoint header bytes flipped one at a time, all refused");
  }

  @Test
  void flippedWeightBytesAreRefused() throws IOException {
    Path f = tmp.resolve("checkpoint.safetensors");
    Safetensors.write(f, tensors(), Map.of());
    byte[] good = Files.readAllBytes(f);
    int data = (int) (8 + headerLength(good));
    for (int i = data; i < good.length; i++) {
      Files.write(f, flip(good, i));
      IOException e = assertThrows(IOException.class, () -> Safetensors.read(f, be), "flip at byte " + i);
      assertTrue(e.getMessage().contains("SHA-256 mismatch"), e.getMessage());
    }
    System.out.println("integrity: " + (good.length - data) + " checkpoint weight bytes flipped one at a time, all refused");
  }

  /** The case reported in the issue: one byte in the header and one in the weights, flipped together. */
  @Test
  void headerAndWeightFlippedTogetherIsRefused() throws IOException {
    Path f = tmp.resolve("weights.safetensors");
    Safetensors.write(f, tensors(), Map.of("config", "{}"));
    byte[] good = Files.readAllBytes(f);
    int data = (int) (8 + headerLength(good));
    Random r = new Random(13);
    for (int trial = 0; trial < 200; trial++) {
      Files.write(f, flip(good, 8 + r.nextInt(data - 8), data + r.nextInt(good.length - data)));
      assertThrows(IOException.class, () -> Safetensors.read(f, be));
    }
  }

  @Test
  void aCheckpointFromBeforeChecksumsLoadsWithAWarning() throws IOException {
    Path f = tmp.resolve("old.safetensors");
    Safetensors.write(f, tensors(), Map.of("config", "{}"));
    byte[] b = Files.readAllBytes(f);
    // Rewrite the header without the sha256 member, as the writer did before checksums.
    int hl = (int) headerLength(b);
    JsonObject h = JsonParser.parseString(new String(b, 8, hl, StandardCharsets.UTF_8)).getAsJsonObject();
    h.getAsJsonObject("__metadata__").remove("sha256");
    byte[] nh = h.toString().getBytes(StandardCharsets.UTF_8);
    ByteBuffer out = ByteBuffer.allocate(8 + nh.length + b.length - 8 - hl).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(nh.length).put(nh).put(b, 8 + hl, b.length - 8 - hl);
    Files.write(f, out.array());
    String err = stderrOf(() -> assertEquals(3, Safetensors.read(f, be).size()));
    assertTrue(err.contains("warning: " + f + " has no SHA-256"), err);
  }

  @Test
  void aCheckpointOfAnotherModelNamesTheTensorAndWhy() throws IOException {
    Linear l = new Linear(be, DType.F32, new Rng(1), "l", 3, 2, true);
    Path f = tmp.resolve("m.safetensors");
    Map<String, Tensor> other = new LinkedHashMap<>();
    other.put("weight", Tensor.zeros(be, DType.F32, 2, 4));
    other.put("bias", Tensor.zeros(be, DType.F64, 2));
    Safetensors.write(f, other, Map.of());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Safetensors.loadInto(l, Safetensors.read(f, be), f.toString()));
    String m = e.getMessage();
    assertFalse(m.contains("\n"), m);
    assertTrue(m.contains("weight is F32[2, 4] in the file, the model expects F32[2, 3] (shape differs)"), m);
    assertTrue(m.contains("bias is F64[2] in the file, the model expects F32[2] (dtype differs)"), m);
  }

  @Test
  void sealedJsonRefusesAnyFlippedByte() throws IOException {
    Path f = tmp.resolve("sealed.json");
    JsonObject o = new JsonObject();
    o.addProperty("data", "emoji");
    o.addProperty("seed", 42);
    SealedJson.write(f, o);
    assertEquals(o, SealedJson.read(f));
    byte[] good = Files.readAllBytes(f);
    int refused = 0;
    for (int i = 0; i < good.length; i++) {
      Files.write(f, flip(good, i));
      try {
        SealedJson.read(f);
      } catch (IOException e) {
        assertTrue(e.getMessage().startsWith(f.toString()) && !e.getMessage().contains("\n"), e.getMessage());
        refused++;
      }
    }
    assertEquals(good.length, refused, "every flipped byte is refused");
    System.out.println("integrity: " + refused + " bytes of a sealed JSON file flipped one at a time, all refused");
  }

  @Test
  void manifestNamesTheChangedFile() throws IOException {
    Path d = Files.createDirectories(tmp.resolve("index"));
    AtomicFiles.writeString(d.resolve("rows.tsv"), "item_id\tk\na\t1\n");
    AtomicFiles.writeString(d.resolve("meta.json"), "{}");
    Manifest.write(d, List.of("rows.tsv", "meta.json"));
    assertEquals(List.of("rows.tsv", "meta.json"), Manifest.verify(d));
    Files.writeString(d.resolve("rows.tsv"), "item_id\tk\na\t2\n");
    IOException e = assertThrows(IOException.class, () -> Manifest.verify(d));
    assertTrue(e.getMessage().startsWith(d.resolve("rows.tsv") + ": SHA-256 mismatch"), e.getMessage());
  }

  @Test
  void atomicWritesLeaveNoTemporaryAndCleanAKilledWritersLeftovers() throws IOException {
    Path f = tmp.resolve("a.json");
    Path stale = AtomicFiles.tempFor(f);
    Files.writeString(stale, "half a file");
    AtomicFiles.writeString(f, "whole");
    assertEquals("whole", Files.readString(f));
    try (var s = Files.list(tmp)) {
      assertEquals(List.of(f), s.toList());
    }
    // A failing body leaves the old file as it was.
    assertThrows(IOException.class, () -> AtomicFiles.write(f, (AtomicFiles.StreamBody) out -> {
      out.write("partial".getBytes(StandardCharsets.UTF_8));
      throw new IOException("simulated failure");
    }));
    assertEquals("whole", Files.readString(f));
    try (var s = Files.list(tmp)) {
      assertEquals(1, s.count());
    }
  }

  interface Action {
    void run() throws Exception;
  }

  static String stderrOf(Action r) throws IOException {
    PrintStream old = System.err;
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    System.setErr(new PrintStream(b, true, StandardCharsets.UTF_8));
    try {
      r.run();
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(e);
    } finally {
      System.setErr(old);
    }
    return b.toString(StandardCharsets.UTF_8);
  }

  @Test
  void readsTheTensorsItWrote() throws IOException {
    Path f = tmp.resolve("x.safetensors");
    Map<String, Tensor> t = tensors();
    Safetensors.write(f, t, Map.of("step", "3"));
    Map<String, String> meta = new LinkedHashMap<>();
    Map<String, Tensor> back = Safetensors.readWithMetadata(f, be, meta);
    assertEquals(Map.of("step", "3"), meta, "the checksum is not handed out as metadata");
    for (String k : t.keySet()) assertArrayEquals(t.get(k).toDoubleArray(), back.get(k).toDoubleArray(), 0.0, k);
  }
}
