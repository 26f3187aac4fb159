package org.cartengine.cart.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.cartengine.cart.data.PairSet;
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
    // With dropout the two passes differ: R-Drop changes the loss.
    assertTrue(Math.abs(withDropR - withDropNoR) > 1e-4, withDropR + " vs " + withDropNoR);
    // The consistency term itself, isolated: the same passes (same seed) with omega 0.15 and 0 differ by omega * KL,
    // which is positive, and doubles with omega (a negative or omega-independent term fails here).
    double omega0 = loss(tok[0], ids, train, rows, 0.3, true, 0.0);
    double kl15 = withDropR - omega0;
    double kl30 = loss(tok[0], ids, train, rows, 0.3, true, 0.3) - omega0;
    assertTrue(kl15 > 1e-6, "omega * KL = " + kl15 + " must be positive");
    assertEquals(2 * kl15, kl30, 1e-3 * Math.abs(kl15) + 1e-6, "the term is linear in omega");
  }

  static double loss(BpeTokenizer tok, Identifiers ids, PairSet train, int[] rows, double dropout, boolean rdrop) throws Exception {
    return loss(tok, ids, train, rows, dropout, rdrop, 0.15);
  }

  static double loss(BpeTokenizer tok, Identifiers ids, PairSet train, int[] rows, double dropout, boolean rdrop, double omega) throws Exception {
    Rng rng = new Rng(2);
    CartModel m = new CartModel(Backends.get(), DType.F32, rng, new CartConfig(tok.vocabSize(), ids.vocabSizes(), 16, 2, 32, 2, 1, dropout, 8, true));
    TrainConfig tc = new TrainConfig(1, 6, 1e-3, 1e-4, 1, 1, 1, rdrop, omega, 0.0, 1.0, 4, 1, 0);
    return new Trainer(m, rng, ids, tc, Files.createTempDirectory("cart-abl"), true).loss(train, rows).item();
  }
}
