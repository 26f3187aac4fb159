package org.cartengine.tests.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cartengine.cart.text.ModelFiles;
import org.cartengine.cart.text.SentenceEncoder;
import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.parity.BackendCheck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * all-MiniLM-L6-v2 on our engine against ONNX Runtime running the same ONNX file: for every sentence of a varied
 * set (tags, long sentences, punctuation, accents, numbers, emoji, texts past 256 tokens), our mean-pooled,
 * normalised embedding is within 1e-4 (max abs) of ORT's last_hidden_state pooled the same way, cosine > 0.99999.
 * Both sides read OUR token ids, so this checks the encoder; the tokenizer has its own test. The reference backend
 * (float64, plain Java) runs every 5th sentence, SIMD all, OpenCL every 10th (PoCL on CI's CPU takes 4 s a sentence), and
 * OpenCL is skipped when no platform opens.
 */
class SentenceEncoderParityTest {
  private static ModelFiles files;
  private static OrtEnvironment env;
  private static OrtSession ort;
  private static List<String> texts;
  private static float[][] oracle;
  private static List<int[]> ids;

  @BeforeAll
  static void oracle() throws Exception {
    files = ModelFiles.locate();
    env = OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
    opts.setIntraOpNumThreads(2);
    ort = env.createSession(files.onnx().toString(), opts);
    texts = Sentences.varied(200, 7);
    var tok = org.cartengine.cart.text.WordPieceTokenizer.load(files.tokenizer());
    ids = new ArrayList<>();
    for (String t : texts) ids.add(tok.encode(t));
    oracle = new float[texts.size()][];
    long t0 = System.nanoTime();
    for (int i = 0; i < texts.size(); i++) oracle[i] = pool(lastHidden(ids.get(i)));
    System.out.printf("[encoder] ONNX Runtime: %d sentences in %.2f s%n", texts.size(), (System.nanoTime() - t0) / 1e9);
  }

  @AfterAll
  static void close() throws OrtException {
    if (ort != null) ort.close();
  }

  /** ORT's last_hidden_state [T][384] of one unpadded sequence. */
  static float[][] lastHidden(int[] seq) throws OrtException {
    long[][] in = new long[1][seq.length], mask = new long[1][seq.length], types = new long[1][seq.length];
    for (int j = 0; j < seq.length; j++) {
      in[0][j] = seq[j];
      mask[0][j] = 1;
    }
    try (OnnxTensor a = OnnxTensor.createTensor(env, in); OnnxTensor b = OnnxTensor.createTensor(env, mask); OnnxTensor c = OnnxTensor.createTensor(env, types);
        OrtSession.Result r = ort.run(Map.of("input_ids", a, "attention_mask", b, "token_type_ids", c))) {
      return ((float[][][]) r.get("last_hidden_state").orElseThrow().getValue())[0];
    }
  }

  /** Mean over tokens (all real: no padding), then L2 normalisation, in double. */
  static float[] pool(float[][] h) {
    int d = h[0].length;
    double[] m = new double[d];
    for (float[] row : h) for (int k = 0; k < d; k++) m[k] += row[k] / (double) h.length;
    double n = 0;
    for (double v : m) n += v * v;
    n = Math.max(Math.sqrt(n), 1e-12);
    float[] out = new float[d];
    for (int k = 0; k < d; k++) out[k] = (float) (m[k] / n);
    return out;
  }

  private void check(String name, DType dt, int every) throws Exception {
    Backend be;
    try {
      be = BackendCheck.open(name);
    } catch (RuntimeException | LinkageError e) {
      Assumptions.abort(name + " skipped: " + e.getMessage());
      return;
    }
    long t0 = System.nanoTime();
    SentenceEncoder enc = SentenceEncoder.load(files, be, dt);
    double load = (System.nanoTime() - t0) / 1e9;
    List<int[]> subset = new ArrayList<>();
    List<Integer> rows = new ArrayList<>();
    for (int i = 0; i < ids.size(); i += every) {
      subset.add(ids.get(i));
      rows.add(i);
    }
    t0 = System.nanoTime();
    float[][] ours = enc.encodeIds(subset);
    double secs = (System.nanoTime() - t0) / 1e9;
    double maxDiff = 0, minCos = 1;
    for (int r = 0; r < rows.size(); r++) {
      float[] a = ours[r], b = oracle[rows.get(r)];
      double dot = 0, na = 0, nb = 0, diff = 0;
      for (int k = 0; k < a.length; k++) {
        dot += (double) a[k] * b[k];
        na += (double) a[k] * a[k];
        nb += (double) b[k] * b[k];
        diff = Math.max(diff, Math.abs(a[k] - b[k]));
      }
      double cos = dot / Math.sqrt(na * nb);
      maxDiff = Math.max(maxDiff, diff);
      minCos = Math.min(minCos, cos);
      String text = texts.get(rows.get(r));
      assertTrue(diff < 1e-4 && cos > 0.99999, name + " sentence " + rows.get(r) + " (" + text.substring(0, Math.min(60, text.length())) + "): max abs diff " + diff + ", cosine " + cos);
    }
    System.out.printf("[encoder] %s %s: load %.2f s, %d sentences in %.2f s, max abs diff %.3g, min cosine %.9f%n", name, dt, load, rows.size(), secs, maxDiff, minCos);
    be.close();
  }

  @Test
  void simdMatchesOnnxRuntime() throws Exception {
    check("simd", DType.F32, 1);
  }

  @Test
  void referenceMatchesOnnxRuntime() throws Exception {
    check("reference", DType.F64, 5);
  }

  @Test
  void openClMatchesOnnxRuntime() throws Exception {
    check("opencl", DType.F32, 10);
  }

  /** Every layer's output is there, and the last one is ORT's last_hidden_state on the real tokens. */
  @Test
  void hiddenStatesEndWithTheLastHiddenState() throws Exception {
    Backend be = BackendCheck.open("simd");
    SentenceEncoder enc = SentenceEncoder.load(files, be, DType.F32);
    List<String> two = List.of("a short one", texts.get(3));
    SentenceEncoder.HiddenStates h = enc.hiddenStates(two);
    assertEquals(7, h.layers().size());
    int t = h.layers().get(0).dim(1), d = enc.dim();
    assertEquals(384, d);
    float[] last = h.layers().get(6).toFloatArray();
    int[] mask = h.padding().toIntArray();
    for (int s = 0; s < two.size(); s++) {
      float[][] want = lastHidden(enc.tokenizer().encode(two.get(s)));
      assertEquals(want.length, h.lengths()[s]);
      for (int j = 0; j < t; j++) {
        assertEquals(j < want.length ? 1 : 0, mask[s * t + j]);
        if (j >= want.length) continue;
        for (int k = 0; k < d; k++) assertEquals(want[j][k], last[(s * t + j) * d + k], 1e-3, "sentence " + s + " token " + j + " dim " + k);
      }
    }
    be.close();
  }

  /** Throughput on short captions (about 8 tokens) and load time; printed, not asserted. */
  @Test
  void shortCaptionThroughput() throws Exception {
    Backend be = BackendCheck.open("simd");
    long t0 = System.nanoTime();
    SentenceEncoder enc = SentenceEncoder.load(files, be, DType.F32);
    double load = (System.nanoTime() - t0) / 1e9;
    List<String> caps = Sentences.captions(1024, 3);
    double tokens = 0;
    for (String c : caps) tokens += enc.tokenizer().encode(c).length;
    enc.encode(caps.subList(0, 256)); // warm-up (JIT)
    t0 = System.nanoTime();
    enc.encode(caps);
    double secs = (System.nanoTime() - t0) / 1e9;
    System.out.printf("[encoder] simd throughput: %d captions (%.1f tokens avg incl. [CLS]/[SEP]) in %.2f s = %.0f sentences/s; load %.2f s (%s)%n",
        caps.size(), tokens / caps.size(), secs, caps.size() / secs, load, be.device());
    be.close();
  }
}
