package org.cartengine.cart.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.cartengine.cart.ids.Identifiers;
import org.cartengine.cart.model.CartConfig;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.text.BpeTokenizer;
import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Backends;
import org.cartengine.engine.nn.Rng;
import org.junit.jupiter.api.Test;

/** --no-fusion and --no-rdrop change exactly what they should. */
class AblationSwitchesTest {

  @Test
  void fusionAddsCoarseAndFineFusionParametersAndReadsEveryEncoderLayer() {
    int[] vocab = {4, 5, 1};
    CartModel fused = new CartModel(Backends.get(), DType.F32, new Rng(1), new CartConfig(50, vocab, 16, 2, 32, 3, 2, 0.1, 8, true));
    CartModel plain = new CartModel(Backends.get(), DType.F32, new Rng(1), new CartConfig(50, vocab, 16, 2, 32, 3, 2, 0.1, 8, false));
    assertTrue(fused.parameters().keySet().stream().anyMatch(k -> k.contains("cross.fuse.weight")), "coarse fusion layer W of eq. (2)");
    assertTrue(fused.parameters().keySet().stream().anyMatch(k -> k.contains("cross.gate2.weight")), "one fine-fusion gate W_i per encoder layer, eq. (5)");
    assertFalse(plain.parameters().keySet().stream().anyMatch(k -> k.contains("fuse") || k.contains("gate")));
    assertTrue(plain.parameters().keySet().stream().anyMatch(k -> k.contains("cross.attn")));
    // The fusion's concatenation layer reads all S = 3 encoder layers.
    assertEquals(3 * 16, fused.parameters().get("decoder0.cross.fuse.weight").dim(1));
  }

  @Test
  void rdropAddsTheKlTermOnlyWhenEnabledAndOnlyWithDropout() throws Exception {
    BpeTokenizer[] tok = new BpeTokenizer[1];
    PairSet train = ResumeAndDivergenceTest.pairs(tok);
    Identifiers ids = TinyRetrievalTest.tinyIds(12);
    int[] rows = {0, 1, 2, 3, 4, 5};
    double withDropNoR = loss(tok[0], ids, train, rows, 0.3, false);
    double withDropR = loss(tok[0], ids, train, rows, 0.3, true);
    double noDropR = loss(tok[0], ids, train, rows, 0.0, true);
    double noDropNoR = loss(tok[0], ids, train, rows, 0.0, false);
    // Without dropout both passes agree: the KL term is exactly zero.
    assertEquals(noDropNoR, noDropR, 1e-5);
    // With dropout the two passes differ and the consistency term is positive.
    assertTrue(withDropR > withDropNoR - 1.0 && Math.abs(withDropR - withDropNoR) > 1e-4, withDropR + " vs " + withDropNoR);
  }

  static double loss(BpeTokenizer tok, Identifiers ids, PairSet train, int[] rows, double dropout, boolean rdrop) throws Exception {
    Rng rng = new Rng(2);
    CartModel m = new CartModel(Backends.get(), DType.F32, rng, new CartConfig(tok.vocabSize(), ids.vocabSizes(), 16, 2, 32, 2, 1, dropout, 8, true));
    TrainConfig tc = new TrainConfig(1, 6, 1e-3, 1e-4, 1, 1, 1, rdrop, 0.15, 0.0, 1.0, 4, 1, 0);
    return new Trainer(m, rng, ids, tc, Files.createTempDirectory("cart-abl"), true).loss(train, rows).item();
  }
}
