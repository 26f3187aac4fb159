package org.cartengine.engine.gradcheck;

import java.util.Random;

/**
 * Random input values that keep a finite-difference check away from the places where it is not
 * meaningful: kinks (relu, abs, elu at 0), ties (max, minimum), poles and domain edges (div, log).
 */
public final class Values {
  private Values() {}

  public static double[] normal(Random rng, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = rng.nextGaussian();
    return v;
  }

  public static double[] uniform(Random rng, int n, double lo, double hi) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * rng.nextDouble();
    return v;
  }

  /** Normal values at least margin away from 0 (either sign). */
  public static double[] awayFromZero(Random rng, int n, double margin) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      double x = rng.nextGaussian();
      v[i] = Math.copySign(Math.abs(x) + margin, x);
    }
    return v;
  }

  /**
   * Values on a grid of step 0.1 shifted by offset: two arrays with offsets 0 and 0.05 never hold
   * values closer than 0.05, so maximum/minimum have no ties between them.
   */
  public static double[] grid(Random rng, int n, double offset) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = Math.round(rng.nextGaussian() * 10) / 10.0 + offset;
    return v;
  }

  /** n distinct values, pairwise at least spacing apart, in random order (max without ties). */
  public static double[] distinct(Random rng, int n, double spacing) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = (i - n / 2.0) * spacing + rng.nextDouble() * spacing * 0.25;
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      double t = v[i];
      v[i] = v[j];
      v[j] = t;
    }
    return v;
  }

  public static int numel(int... shape) {
    int n = 1;
    for (int s : shape) n *= s;
    return n;
  }
}
