package org.cartengine.cart.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.cartengine.engine.DType;
import org.cartengine.engine.backend.reference.ReferenceBackend;
import org.cartengine.engine.io.OnnxModel;
import org.cartengine.engine.nn.BertEncoder;
import org.cartengine.engine.nn.Rng;
import org.junit.jupiter.api.Test;

/**
 * A tiny BERT written as ONNX protobuf by hand (weights under their PyTorch names, [out, in]): every parameter
 * arrives with its values, and a file with one shape off is refused with a message naming the file and the weight.
 */
class BertOnnxWeightsTest {
  private static final BertEncoder.Config TINY = new BertEncoder.Config(10, 4, 1, 2, 8, 6, 2, 1e-12);
  private static final Path FILE = Path.of("tiny-bert.onnx");

  @Test
  void everyParameterIsLoaded() throws IOException {
    Map<String, int[]> shapes = hfShapes();
    BertEncoder enc = new BertEncoder(new ReferenceBackend(), DType.F32, new Rng(1), TINY);
    BertOnnxWeights.load(OnnxModel.read(model(shapes)), enc, FILE);
    // value k of tensor number i is i + k / 1000, so a mix-up shows
    int i = 0;
    for (Map.Entry<String, int[]> e : shapes.entrySet()) {
      float[] got = enc.parameters().get(BertOnnxWeights.ourName(e.getKey())).toFloatArray();
      assertArrayEquals(values(i++, got.length), got, 0, e.getKey());
    }
  }

  @Test
  void aWrongShapeIsRefusedNamingTheFile() {
    Map<String, int[]> shapes = hfShapes();
    shapes.put("encoder.layer.0.intermediate.dense.weight", new int[] {7, 4});
    BertEncoder enc = new BertEncoder(new ReferenceBackend(), DType.F32, new Rng(1), TINY);
    IOException e = assertThrows(IOException.class, () -> BertOnnxWeights.load(OnnxModel.read(model(shapes)), enc, FILE));
    assertTrue(e.getMessage().contains("tiny-bert.onnx") && e.getMessage().contains("encoder.layer.0.intermediate.dense.weight")
        && e.getMessage().contains("[7, 4]"), e.getMessage());
  }

  private static Map<String, int[]> hfShapes() {
    Map<String, int[]> s = new LinkedHashMap<>();
    s.put("embeddings.word_embeddings.weight", new int[] {10, 4});
    s.put("embeddings.position_embeddings.weight", new int[] {6, 4});
    s.put("embeddings.token_type_embeddings.weight", new int[] {2, 4});
    s.put("embeddings.LayerNorm.weight", new int[] {4});
    s.put("embeddings.LayerNorm.bias", new int[] {4});
    for (String lin : new String[] {"attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"}) {
      s.put("encoder.layer.0." + lin + ".weight", new int[] {4, 4});
      s.put("encoder.layer.0." + lin + ".bias", new int[] {4});
    }
    s.put("encoder.layer.0.intermediate.dense.weight", new int[] {8, 4});
    s.put("encoder.layer.0.intermediate.dense.bias", new int[] {8});
    s.put("encoder.layer.0.output.dense.weight", new int[] {4, 8});
    s.put("encoder.layer.0.output.dense.bias", new int[] {4});
    for (String ln : new String[] {"attention.output.LayerNorm", "output.LayerNorm"}) {
      s.put("encoder.layer.0." + ln + ".weight", new int[] {4});
      s.put("encoder.layer.0." + ln + ".bias", new int[] {4});
    }
    return s;
  }

  private static float[] values(int i, int n) {
    float[] v = new float[n];
    for (int k = 0; k < n; k++) v[k] = i + k / 1000f;
    return v;
  }

  /** ModelProto { graph (7) { initializer (5) { dims (1), data_type (2), name (8), raw_data (9) } } }. */
  private static ByteBuffer model(Map<String, int[]> shapes) {
    ByteArrayOutputStream graph = new ByteArrayOutputStream();
    int i = 0;
    for (Map.Entry<String, int[]> e : shapes.entrySet()) {
      ByteArrayOutputStream t = new ByteArrayOutputStream();
      int n = 1;
      for (int d : e.getValue()) {
        varint(t, 1 << 3);
        varint(t, d);
        n *= d;
      }
      varint(t, 2 << 3);
      varint(t, OnnxModel.FLOAT);
      bytes(t, 8, e.getKey().getBytes(StandardCharsets.UTF_8));
      ByteBuffer raw = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
      for (float v : values(i++, n)) raw.putFloat(v);
      bytes(t, 9, raw.array());
      bytes(graph, 5, t.toByteArray());
    }
    ByteArrayOutputStream m = new ByteArrayOutputStream();
    bytes(m, 7, graph.toByteArray());
    return ByteBuffer.wrap(m.toByteArray());
  }

  private static void bytes(ByteArrayOutputStream out, int field, byte[] b) {
    varint(out, field << 3 | 2);
    varint(out, b.length);
    out.writeBytes(b);
  }

  private static void varint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7fL) != 0) {
      out.write((int) (v & 0x7f | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }
}
