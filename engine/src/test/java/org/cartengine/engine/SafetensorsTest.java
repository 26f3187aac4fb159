package org.cartengine.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.reference.ReferenceBackend;
import org.cartengine.engine.io.Safetensors;
import org.cartengine.engine.nn.Linear;
import org.cartengine.engine.nn.Rng;
import org.junit.jupiter.api.Test;

/** Checkpoints in the safetensors layout: exact round trips, the header PyTorch's reader expects, clear mismatch errors. */
class SafetensorsTest {
  private final Backend be = new ReferenceBackend();

  @Test
  void roundTripIsExactForEveryDtype() throws IOException {
    Random r = new Random(3);
    Map<String, Tensor> t = new LinkedHashMap<>();
    t.put("a.f32", Tensor.randn(be, DType.F32, r, 1, 3, 5));
    t.put("b.f64", Tensor.randn(be, DType.F64, r, 1, 7));
    t.put("c.i32", Tensor.ofInts(be, new int[] {1, -2, 3, Integer.MAX_VALUE}, 2, 2));
    t.put("d.scalar", Tensor.scalar(be, DType.F32, 2.5));
    Path f = Files.createTempDirectory("st").resolve("x.safetensors");
    Safetensors.write(f, t, Map.of("step", "7"));
    Map<String, String> meta = new HashMap<>();
    Map<String, Tensor> back = Safetensors.readWithMetadata(f, be, meta);
    assertEquals(t.keySet(), back.keySet());
    assertEquals("7", meta.get("step"));
    for (String k : t.keySet()) {
      assertArrayEquals(t.get(k).shape(), back.get(k).shape(), k);
      assertEquals(t.get(k).dtype(), back.get(k).dtype(), k);
      assertArrayEquals(t.get(k).toDoubleArray(), back.get(k).toDoubleArray(), 0.0, k);
    }
  }

  @Test
  void headerFollowsTheFormat() throws IOException {
    Path f = Files.createTempDirectory("st").resolve("h.safetensors");
    Safetensors.write(f, Map.of("w", Tensor.of(be, new float[] {1, 2, 3}, 3)), Map.of());
    byte[] all = Files.readAllBytes(f);
    long n = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong();
    String header = new String(all, 8, (int) n, StandardCharsets.UTF_8);
    assertTrue(header.contains("\"w\"") && header.contains("\"dtype\":\"F32\"") && header.contains("\"shape\":[3]") && header.contains("\"data_offsets\":[0,12]"), header);
    assertEquals(0, (8 + n) % 8, "data starts 8-byte aligned");
    assertEquals(8 + n + 12, all.length);
    assertEquals(1f, ByteBuffer.wrap(all, (int) (8 + n), 4).order(ByteOrder.LITTLE_ENDIAN).getFloat());
  }

  @Test
  void loadingIntoAModuleNamesEveryMismatch() throws IOException {
    Linear l = new Linear(be, DType.F32, new Rng(1), "l", 3, 2, true);
    Path f = Files.createTempDirectory("st").resolve("m.safetensors");
    Map<String, Tensor> bad = new LinkedHashMap<>();
    bad.put("weight", Tensor.zeros(be, DType.F32, 3, 2));
    bad.put("extra", Tensor.zeros(be, DType.F32, 1));
    Safetensors.write(f, bad, Map.of());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Safetensors.loadInto(l, Safetensors.read(f, be), f.toString()));
    assertTrue(e.getMessage().contains("mismatch: weight") && e.getMessage().contains("missing in file: bias") && e.getMessage().contains("unexpected in file: extra"),
        e.getMessage());
    // A matching file loads in place.
    Map<String, Tensor> good = new LinkedHashMap<>();
    good.put("weight", Tensor.of(be, new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
    good.put("bias", Tensor.of(be, new float[] {7, 8}, 2));
    Safetensors.write(f, good, Map.of());
    Safetensors.loadInto(l, Safetensors.read(f, be), f.toString());
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, l.weight.toFloatArray());
  }

  @Test
  void truncatedFileIsAClearError() throws IOException {
    Path f = Files.createTempDirectory("st").resolve("t.safetensors");
    Files.write(f, new byte[] {1, 2, 3});
    IOException e = assertThrows(IOException.class, () -> Safetensors.read(f, be));
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
  }
}
