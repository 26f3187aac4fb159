package org.cartengine.cart.text;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.io.OnnxModel;
import org.cartengine.engine.nn.BertEncoder;
import org.cartengine.engine.nn.Module;

/**
 * Puts a Hugging Face BERT exported to ONNX into a {@link BertEncoder}. Biases, embeddings and layer norms keep
 * their PyTorch names ({@code encoder.layer.3.output.LayerNorm.weight}); the exporter stores each Linear's weight
 * transposed ([in, out]) under an anonymous name ({@code onnx::MatMul_798}), so those are found by the graph's
 * topology: the MatMul that reads the weight feeds the Add that reads {@code <linear>.bias}. A weight stored under
 * its own name in PyTorch layout ([out, in]) is taken as it is. Every parameter must be present with its expected
 * shape, or the file is refused with the first difference.
 */
final class BertOnnxWeights {
  private BertOnnxWeights() {}

  private static final Pattern LAYER = Pattern.compile("encoder\\.layer\\.(\\d+)\\.(.+)");
  private static final Map<String, String> EMBEDDINGS = Map.of(
      "embeddings.word_embeddings.weight", "words.weight",
      "embeddings.position_embeddings.weight", "positions.weight",
      "embeddings.token_type_embeddings.weight", "types.weight",
      "embeddings.LayerNorm.weight", "embeddingNorm.gamma",
      "embeddings.LayerNorm.bias", "embeddingNorm.beta");
  private static final Map<String, String> IN_LAYER = Map.ofEntries(
      Map.entry("attention.self.query", "attention.q"),
      Map.entry("attention.self.key", "attention.k"),
      Map.entry("attention.self.value", "attention.v"),
      Map.entry("attention.output.dense", "attention.o"),
      Map.entry("attention.output.LayerNorm", "attentionNorm"),
      Map.entry("intermediate.dense", "intermediate"),
      Map.entry("output.dense", "output"),
      Map.entry("output.LayerNorm", "outputNorm"));

  /** Our parameter name of a PyTorch BERT name, or null for names we do not use. */
  static String ourName(String hf) {
    if (EMBEDDINGS.containsKey(hf)) return EMBEDDINGS.get(hf);
    Matcher m = LAYER.matcher(hf);
    if (!m.matches()) return null;
    String rest = m.group(2);
    int dot = rest.lastIndexOf('.');
    String module = IN_LAYER.get(rest.substring(0, dot)), leaf = rest.substring(dot + 1);
    if (module == null) return null;
    boolean norm = module.endsWith("Norm");
    String p = leaf.equals("weight") ? (norm ? "gamma" : "weight") : leaf.equals("bias") ? (norm ? "beta" : "bias") : null;
    return p == null ? null : "layers." + m.group(1) + "." + module + "." + p;
  }

  private record Source(OnnxModel.Initializer init, boolean transposed) {}

  static void load(OnnxModel onnx, BertEncoder enc, Path file) throws IOException {
    Map<String, Source> byOurName = new LinkedHashMap<>();
    for (OnnxModel.Initializer i : onnx.initializers.values()) {
      String n = ourName(i.name());
      if (n != null) byOurName.put(n, new Source(i, false));
    }
    matMulWeights(onnx).forEach((hfWeight, init) -> {
      String n = ourName(hfWeight);
      if (n != null) byOurName.putIfAbsent(n, new Source(init, true));
    });
    for (Map.Entry<String, Tensor> p : enc.parameters().entrySet()) {
      Source s = byOurName.get(p.getKey());
      if (s == null) throw new IOException(file + ": not the expected BERT graph: no weight for " + p.getKey());
      int[] want = p.getValue().shape();
      long[] dims = s.init().dims();
      long[] expect = s.transposed() ? new long[] {want[1], want[0]} : Arrays.stream(want).asLongStream().toArray();
      if (s.init().dataType() != OnnxModel.FLOAT || !Arrays.equals(dims, expect))
        throw new IOException(file + ": not the expected BERT shape: " + s.init().name() + " (for " + p.getKey() + ") is "
            + Arrays.toString(dims) + " of ONNX type " + s.init().dataType() + ", expected float32 " + Arrays.toString(expect));
      float[] v = s.init().floats();
      if (s.transposed()) v = transpose(v, want[1], want[0]);
      Tensor t = p.getValue();
      Module.assign(t, t.dtype() == DType.F32 ? Tensor.of(t.backend(), v, want) : Tensor.of(t.backend(), t.dtype(), toDouble(v), want));
    }
  }

  /** PyTorch name of the weight of each Linear the exporter stored anonymously: MatMul(x, W) -> Add(<linear>.bias, .). */
  private static Map<String, OnnxModel.Initializer> matMulWeights(OnnxModel onnx) {
    Map<String, OnnxModel.Node> consumerOf = new HashMap<>();
    for (OnnxModel.Node n : onnx.nodes) if (n.opType().equals("Add")) for (String in : n.inputs()) consumerOf.put(in, n);
    Map<String, OnnxModel.Initializer> out = new HashMap<>();
    for (OnnxModel.Node n : onnx.nodes) {
      if (!n.opType().equals("MatMul") || n.inputs().size() != 2 || n.outputs().isEmpty()) continue;
      OnnxModel.Initializer w = onnx.initializers.get(n.inputs().get(1));
      OnnxModel.Node add = consumerOf.get(n.outputs().get(0));
      if (w == null || add == null) continue;
      for (String in : add.inputs())
        if (in.endsWith(".bias") && onnx.initializers.containsKey(in)) out.put(in.substring(0, in.length() - 5) + ".weight", w);
    }
    return out;
  }

  /** [rows, cols] row-major -> [cols, rows]. */
  private static float[] transpose(float[] a, int rows, int cols) {
    float[] t = new float[a.length];
    for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
    return t;
  }

  private static double[] toDouble(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) d[i] = v[i];
    return d;
  }
}
