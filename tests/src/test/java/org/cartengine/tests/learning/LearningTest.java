package org.cartengine.tests.learning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.autograd.Autograd;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;
import org.cartengine.engine.nn.Embedding;
import org.cartengine.engine.nn.Linear;
import org.cartengine.engine.nn.Module;
import org.cartengine.engine.nn.Rng;
import org.cartengine.engine.nn.StandardCrossAttention;
import org.cartengine.engine.nn.TransformerDecoderLayer;
import org.cartengine.engine.nn.TransformerEncoderLayer;
import org.cartengine.engine.ops.Reductions;
import org.cartengine.engine.ops.Softmax;
import org.cartengine.engine.optim.Adam;
import org.junit.jupiter.api.Test;

/** End-to-end learning on the default backend: the engine can fit small problems. */
class LearningTest {
  private final Backend be = Backends.get();

  @Test
  void mlpLearnsXor() {
    Rng rng = new Rng(7);
    Linear l1 = new Linear(be, DType.F32, rng, "l1", 2, 16, true);
    Linear l2 = new Linear(be, DType.F32, rng, "l2", 16, 2, true);
    var params = new java.util.LinkedHashMap<String, Tensor>();
    l1.parameters().forEach((k, v) -> params.put("l1." + k, v));
    l2.parameters().forEach((k, v) -> params.put("l2." + k, v));
    Adam opt = new Adam(params, 0.9, 0.999, 1e-8, 0);
    Tensor x = Tensor.of(be, new float[] {0, 0, 0, 1, 1, 0, 1, 1}, 4, 2);
    Tensor y = Tensor.ofInts(be, new int[] {0, 1, 1, 0}, 4);
    double loss = 0;
    for (int step = 0; step < 300; step++) {
      Tensor l = Softmax.crossEntropy(l2.forward(l1.forward(x).tanh()), y, -1, 0);
      loss = l.item();
      l.backward();
      opt.step(0.05, 0);
      opt.zeroGrad();
    }
    assertTrue(loss < 0.05, "XOR loss after training: " + loss);
    int[] pred = Reductions.argmax(l2.forward(l1.forward(x).tanh()), -1).toIntArray();
    assertEquals(List.of(0, 1, 1, 0), List.of(pred[0], pred[1], pred[2], pred[3]));
  }

  /** A one-layer encoder-decoder learns to reverse sequences of 5 symbols (teacher forcing, greedy decoding). */
  static final class Seq2Seq extends Module {
    final Embedding src;
    final Embedding tgt;
    final Embedding pos;
    final TransformerEncoderLayer enc;
    final TransformerDecoderLayer dec;
    final Linear head;

    Seq2Seq(Backend be, Rng rng, int vocab, int d, int len) {
      src = module("src", new Embedding(be, DType.F32, rng, "src", vocab, d));
      tgt = module("tgt", new Embedding(be, DType.F32, rng, "tgt", vocab + 1, d));
      pos = module("pos", new Embedding(be, DType.F32, rng, "pos", len + 1, d));
      enc = module("enc", new TransformerEncoderLayer(be, DType.F32, rng, "enc", d, 2, 2 * d, 0.0));
      dec = module("dec", new TransformerDecoderLayer(be, DType.F32, rng, "dec", d, 2, 2 * d, 0.0, new StandardCrossAttention(be, DType.F32, rng, "cross", d, 2)));
      head = module("head", new Linear(be, DType.F32, rng, "head", d, vocab, true));
    }

    Tensor logits(Tensor srcIds, Tensor tgtIn, Tensor posIds, Tensor posIdsT) {
      Tensor e = enc.forward(src.forward(srcIds).add(pos.forward(posIds)), null);
      Tensor h = dec.forward(tgt.forward(tgtIn).add(pos.forward(posIdsT)), List.of(e), null);
      return head.forward(h);
    }
  }

  @Test
  void transformerLearnsToReverse() {
    int vocab = 6, len = 5, d = 32, batch = 32;
    Rng rng = new Rng(3);
    Seq2Seq m = new Seq2Seq(be, rng, vocab, d, len);
    Adam opt = new Adam(m.parameters(), 0.9, 0.98, 1e-9, 0);
    Random r = new Random(11);
    int[] posArr = new int[batch * len];
    for (int i = 0; i < posArr.length; i++) posArr[i] = i % len;
    Tensor posIds = Tensor.ofInts(be, posArr, batch, len);
    double loss = 0;
    for (int step = 0; step < 400; step++) {
      int[] s = new int[batch * len], tin = new int[batch * len], tout = new int[batch * len];
      for (int b = 0; b < batch; b++) {
        for (int i = 0; i < len; i++) s[b * len + i] = r.nextInt(vocab);
        for (int i = 0; i < len; i++) {
          tout[b * len + i] = s[b * len + len - 1 - i];
          tin[b * len + i] = i == 0 ? vocab : tout[b * len + i - 1];
        }
      }
      Tensor l = Softmax.crossEntropy(m.logits(Tensor.ofInts(be, s, batch, len), Tensor.ofInts(be, tin, batch, len), posIds, posIds), Tensor.ofInts(be, tout, batch, len), -1, 0);
      loss = l.item();
      l.backward();
      opt.step(step < 50 ? 3e-3 * (step + 1) / 50 : 3e-3, 1.0);
      opt.zeroGrad();
    }
    assertTrue(loss < 0.1, "reverse-task loss after training: " + loss);
    // Greedy decoding of fresh sequences.
    int correct = 0, total = 0;
    try (var ng = Autograd.noGrad()) {
      m.train(false);
      int[] s = new int[batch * len];
      for (int i = 0; i < s.length; i++) s[i] = r.nextInt(vocab);
      int[] tin = new int[batch * len];
      for (int b = 0; b < batch; b++) for (int i = 0; i < len; i++) tin[b * len + i] = vocab;
      List<Integer> out = new ArrayList<>();
      for (int i = 0; i < len; i++) {
        Tensor lg = m.logits(Tensor.ofInts(be, s, batch, len), Tensor.ofInts(be, tin, batch, len), posIds, posIds);
        int[] pred = Reductions.argmax(lg, -1).toIntArray();
        for (int b = 0; b < batch; b++) {
          if (i + 1 < len) tin[b * len + i + 1] = pred[b * len + i];
          if (pred[b * len + i] == s[b * len + len - 1 - i]) correct++;
          total++;
        }
      }
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
    assertTrue(correct >= 0.95 * total, "greedy reversal accuracy " + correct + "/" + total);
  }
}
