package org.cartengine.cart.ids;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cartengine.engine.backend.Backends;
import org.junit.jupiter.api.Test;

class RqVaeTest {
  /** Small dimensions so the test runs in seconds on the plain-Java backend. */
  static IndexConfig small(int epochs) {
    IndexConfig c = new IndexConfig();
    c.scheme = Scheme.RQ_ONLY;
    c.codebooks = 1; // rq-only: 2 codebooks
    c.codebookSize = 16;
    c.latentDim = 8;
    c.hidden = new int[] {32, 16};
    c.batchSize = 64;
    c.epochs = epochs;
    c.warmupEpochs = 1;
    c.lr = 3e-3;
    c.seed = 5;
    return c;
  }

  static float[] structured(int n, int dim) {
    return SyntheticCorpus.generate(SyntheticCorpus.Spec.clusters(n, dim, 8, 8, 0.5, 0.1, 9));
  }

  @Test
  void trainingLowersReconstructionErrorAndUsesMostOfEachCodebook() {
    int n = 1024, dim = 16;
    float[] x = structured(n, dim);
    IndexResult before = IdentifierBuilder.build(x, n, dim, IdentifierBuilder.indexIds(n), small(0), null, Backends.get());
    IndexResult after = IdentifierBuilder.build(x, n, dim, IdentifierBuilder.indexIds(n), small(25), null, Backends.get());
    double e0 = before.stats().reconError(), e1 = after.stats().reconError();
    assertTrue(e1 < 0.5 * e0, "relative reconstruction error " + e0 + " (untrained decoder) -> " + e1 + " after 25 epochs");
    double[] loss = after.stats().epochLoss();
    assertTrue(loss[loss.length - 1] < loss[0], "training loss did not fall: " + java.util.Arrays.toString(loss));
    for (LevelStats l : after.stats().levels()) {
      assertTrue(l.utilisation() >= 0.75, l.name() + ": " + l.used() + " of " + l.size() + " codes used");
      assertTrue(l.perplexity() >= 0.5 * l.size(), l.name() + ": perplexity " + l.perplexity() + " of " + l.size());
    }
  }
}
