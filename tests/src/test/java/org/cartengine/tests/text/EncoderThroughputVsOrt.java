package org.cartengine.tests.text;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cartengine.cart.data.Caption;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.data.Split;
import org.cartengine.cart.text.ModelFiles;
import org.cartengine.cart.text.SentenceEncoder;
import org.cartengine.cart.text.WordPieceTokenizer;
import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;

/**
 * Throughput of all-MiniLM-L6-v2 on our engine against ONNX Runtime on the same machine, same sitting, same token ids,
 * same batches (sorted by length, {@link SentenceEncoder#BATCH} per batch, padded with an attention mask), both warmed
 * up first and both on 2 intra-op threads; rounds alternate the two. ONNX Runtime is a test-scope dependency, never in
 * the product, so this is a main in the tests module, run by bench/encoder-vs-ort.sh, not a test.
 *
 * <p>Usage: {@code EncoderThroughputVsOrt [dataset emoji] [sentences 2048] [rounds 3]}: the dataset's distinct train
 * captions (short tags and titles, what the retriever encodes), or {@code varied} for the parity test's mixed lengths.
 */
public final class EncoderThroughputVsOrt {
  public static void main(String[] args) throws Exception {
    String data = args.length > 0 ? args[0] : "emoji";
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 2048;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    List<String> texts;
    if (data.equals("varied")) texts = Sentences.varied(n, 7);
    else {
      List<String> distinct = new ArrayList<>(new java.util.LinkedHashSet<>(Dataset.open(data).captions(Split.TRAIN).stream().map(Caption::text).toList()));
      texts = distinct.subList(0, Math.min(n, distinct.size()));
    }
    ModelFiles files = ModelFiles.locate();
    WordPieceTokenizer tok = WordPieceTokenizer.load(files.tokenizer());
    List<int[]> ids = texts.stream().map(tok::encode).toList();
    double tokens = ids.stream().mapToInt(a -> a.length).average().orElse(0);
    Backend be = Backends.get();
    SentenceEncoder ours = SentenceEncoder.load(files, be, DType.F32);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
    opts.setIntraOpNumThreads(2);
    opts.setInterOpNumThreads(1);
    try (OrtSession ort = env.createSession(files.onnx().toString(), opts)) {
      List<int[]> warm = ids.subList(0, Math.min(256, ids.size()));
      ours.encodeIds(warm);
      ort(env, ort, warm);
      double[] a = new double[rounds], b = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        long t0 = System.nanoTime();
        ours.encodeIds(ids);
        a[r] = ids.size() / ((System.nanoTime() - t0) / 1e9);
        t0 = System.nanoTime();
        ort(env, ort, ids);
        b[r] = ids.size() / ((System.nanoTime() - t0) / 1e9);
        System.err.printf(Locale.ROOT, "round %d: ours %.1f sentences/s, ONNX Runtime %.1f%n", r + 1, a[r], b[r]);
      }
      Arrays.sort(a);
      Arrays.sort(b);
      double ma = a[rounds / 2], mb = b[rounds / 2];
      System.out.printf(Locale.ROOT, "%s: %,d sentences, %.1f tokens on average, batches of %d, backend %s, median of %d rounds%n", data, ids.size(), tokens,
          SentenceEncoder.BATCH, be.name(), rounds);
      System.out.println("| encoder | sentences/s | vs ONNX Runtime |");
      System.out.println("| --- | ---: | ---: |");
      System.out.printf(Locale.ROOT, "| ONNX Runtime %s (2 threads) | %.1f | 1.00 |%n", ai.onnxruntime.OrtEnvironment.getEnvironment().getVersion(), mb);
      System.out.printf(Locale.ROOT, "| cart-engine SentenceEncoder (%s) | %.1f | %.2f |%n", be.name(), ma, ma / mb);
    }
  }

  /** ORT over the same length-sorted, padded batches as SentenceEncoder; the pooled output is not needed for timing. */
  static void ort(OrtEnvironment env, OrtSession ort, List<int[]> ids) throws Exception {
    Integer[] order = new Integer[ids.size()];
    for (int i = 0; i < order.length; i++) order[i] = i;
    Arrays.sort(order, Comparator.comparingInt(i -> ids.get(i).length));
    for (int from = 0; from < order.length; from += SentenceEncoder.BATCH) {
      int rows = Math.min(SentenceEncoder.BATCH, order.length - from), t = 0;
      for (int r = 0; r < rows; r++) t = Math.max(t, ids.get(order[from + r]).length);
      long[][] in = new long[rows][t], mask = new long[rows][t], types = new long[rows][t];
      for (int r = 0; r < rows; r++) {
        int[] s = ids.get(order[from + r]);
        for (int j = 0; j < s.length; j++) {
          in[r][j] = s[j];
          mask[r][j] = 1;
        }
      }
      try (OnnxTensor x = OnnxTensor.createTensor(env, in); OnnxTensor m = OnnxTensor.createTensor(env, mask); OnnxTensor y = OnnxTensor.createTensor(env, types);
          OrtSession.Result res = ort.run(Map.of("input_ids", x, "attention_mask", m, "token_type_ids", y))) {
        res.get(0);
      }
    }
  }
}
