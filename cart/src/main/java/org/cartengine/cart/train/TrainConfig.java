package org.cartengine.cart.train;

/**
 * Training options of the retriever.
 *
 * @param omega weight of the R-Drop consistency loss (paper eq. 8; 0.15 in appendix C)
 * @param rdrop false = "w/o consistency loss" (Table 4)
 * @param warmupSteps linear warm-up before cosine annealing with restarts (appendix C)
 * @param restartEpochs length of a cosine cycle in epochs, restarted after each; 0 = one cycle over the whole run
 * @param budgetSeconds when > 0, the run is planned to fit this wall-clock time: the first steps are
 *     timed and the number of steps (and with it the cosine schedule) is fixed from their speed, at
 *     most {@code epochs} epochs; the plan is stored in the checkpoint so a resumed run follows it
 * @param patience early stopping: when the best epoch is kept on val, training ends once this many epochs have passed
 *     without a better val R@1; 0 = off
 */
public record TrainConfig(int epochs, int batchSize, double lr, double minLr, int warmupSteps, double restartEpochs,
    long seed, boolean rdrop, double omega, double labelSmoothing, double clipNorm, int beam, int valEvery, double budgetSeconds, int patience) {

  /** Without early stopping. */
  public TrainConfig(int epochs, int batchSize, double lr, double minLr, int warmupSteps, double restartEpochs, long seed, boolean rdrop, double omega,
      double labelSmoothing, double clipNorm, int beam, int valEvery, double budgetSeconds) {
    this(epochs, batchSize, lr, minLr, warmupSteps, restartEpochs, seed, rdrop, omega, labelSmoothing, clipNorm, beam, valEvery, budgetSeconds, 0);
  }

  public static TrainConfig defaults() {
    return new TrainConfig(12, 128, 1e-3, 1e-5, 200, 0, 42, true, 0.15, 0.0, 1.0, 10, 1, 0);
  }

  public TrainConfig withEpochs(int e) {
    return new TrainConfig(e, batchSize, lr, minLr, warmupSteps, restartEpochs, seed, rdrop, omega, labelSmoothing, clipNorm, beam, valEvery, budgetSeconds, patience);
  }

  public TrainConfig withRdrop(boolean on) {
    return new TrainConfig(epochs, batchSize, lr, minLr, warmupSteps, restartEpochs, seed, on, omega, labelSmoothing, clipNorm, beam, valEvery, budgetSeconds, patience);
  }
}
