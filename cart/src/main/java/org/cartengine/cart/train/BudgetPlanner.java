package org.cartengine.cart.train;

/**
 * Fits a time-budgeted run ({@link TrainConfig#budgetSeconds()}) into its budget. It times steps
 * [WARMUP_STEPS_UNTIMED, CALIBRATION_END) of the call (the first ones carry the JIT's warm-up) and then fixes the
 * run's length; a plan made in this call is checked again after every epoch from the speed of that epoch's steps and
 * validation (steps run slower early on, so the first plan under-fills the budget). The plan is stored in the checkpoint, so a resumed run follows it and is not timed again.
 */
final class BudgetPlanner {
  static final int WARMUP_STEPS_UNTIMED = 5;
  static final int CALIBRATION_END = 30;

  private final double budgetSeconds;
  private final int stepsPerEpoch;
  private final int maxSteps;
  private final boolean quiet;
  private final long t0 = System.nanoTime();
  private int stepsThisCall;
  private long calibrationStart = t0;
  private boolean replan;
  private long calibrationEnd;
  private long stepsEnd;
  private int calibrationEndStep;
  /** When the last epoch's validation ended, and the steps done then (0: no epoch yet in this call). */
  private long lastEpochEnd;
  private int lastEpochEndStep;

  BudgetPlanner(double budgetSeconds, int stepsPerEpoch, int maxSteps, boolean quiet) {
    this.budgetSeconds = budgetSeconds;
    this.stepsPerEpoch = stepsPerEpoch;
    this.maxSteps = maxSteps;
    this.quiet = quiet;
  }

  /**
   * After each optimiser step ({@code step} steps done): the run's planned steps, which is {@code planned} unless the
   * run has no plan yet and this step ends the timing, when the steps that fit 90% of the budget are planned (a tenth
   * is kept for validation passes).
   */
  int afterStep(int step, int planned) {
    stepsThisCall++;
    if (planned != 0) return planned;
    if (stepsThisCall == WARMUP_STEPS_UNTIMED) calibrationStart = System.nanoTime();
    if (stepsThisCall != CALIBRATION_END) return planned;
    double secs = (System.nanoTime() - t0) / 1e9;
    double perStep = (System.nanoTime() - calibrationStart) / 1e9 / (CALIBRATION_END - WARMUP_STEPS_UNTIMED);
    long fit = step + (long) Math.floor((0.9 * budgetSeconds - secs) / perStep);
    int steps = (int) Math.max(step, Math.min(maxSteps, fit));
    replan = true;
    calibrationEnd = System.nanoTime();
    calibrationEndStep = step;
    if (!quiet) System.err.printf("%ntime budget %.0f s: %d steps planned (%.1f epochs at %.2f s/step)%n", budgetSeconds, steps,
        steps / (double) stepsPerEpoch, perStep);
    return steps;
  }

  /** When an epoch's steps end (before its validation pass and checkpoint). */
  void epochStepsEnded() {
    stepsEnd = System.nanoTime();
  }

  /**
   * After an epoch's validation pass and checkpoint: the run's planned steps, re-planned from the speed of this
   * epoch's steps and the time of its validation, when enough steps have run and more epochs follow. It re-plans
   * after every epoch, not once: the steps keep getting faster for a while after the first epoch (the JIT), and a
   * plan fixed then left a quarter of the budget unused (emoji, 2 cores: 146 of 210 s). A change under 2% of the plan
   * is ignored, so the learning-rate schedule does not move for noise.
   */
  int afterEpoch(int step, int planned, boolean last) {
    long now = System.nanoTime();
    long from = lastEpochEnd;
    int fromStep = lastEpochEndStep;
    lastEpochEnd = now;
    lastEpochEndStep = step;
    if (!replan || last || step - calibrationEndStep < CALIBRATION_END) return planned;
    if (from == 0 || step - fromStep < 1) {
      from = calibrationEnd;
      fromStep = calibrationEndStep;
    }
    double perStep = (stepsEnd - from) / 1e9 / (step - fromStep);
    double valSecs = (now - stepsEnd) / 1e9;  // this epoch's validation pass and checkpoint
    double left = 0.97 * budgetSeconds - (now - t0) / 1e9;
    long fit = step + (long) Math.floor(left / (stepsPerEpoch * perStep + valSecs) * stepsPerEpoch);
    int steps = (int) Math.max(step + 1, Math.min(maxSteps, fit));
    if (Math.abs(steps - planned) < 0.02 * planned) return planned;
    if (!quiet)
      System.err.printf("time budget re-planned after epoch %d: %d steps (%.1f epochs at %.3f s/step, %.1f s per validation)%n", step / stepsPerEpoch, steps,
          steps / (double) stepsPerEpoch, perStep, valSecs);
    return steps;
  }
}
