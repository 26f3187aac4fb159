package org.cartengine.engine.backend.reference;

/**
 * The error function in double precision, for the exact GELU (the JDK has no erf). Two expansions, each used where
 * it converges fast and has no cancellation: for |x| <= 3 the series erf(x) = 2/sqrt(pi) e^{-x^2}
 * sum_n x (2x^2)^n / (2n+1)!! (Abramowitz-Stegun 7.1.6; all terms positive), for x > 3 Laplace's continued fraction
 * erfc(x) = e^{-x^2}/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))) (A-S 7.1.15). Both are accurate to a few
 * units in the last place, which the float64 parity suite needs (the devices' erfc is that good).
 */
public final class Erf {
  private Erf() {}

  private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
  private static final double INV_SQRT_2 = 1 / Math.sqrt(2);
  private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

  public static double erf(double x) {
    if (Double.isNaN(x)) return x;
    double a = Math.abs(x);
    double r = a <= 3 ? series(a) : 1 - continuedFraction(a);
    return Math.copySign(r, x);
  }

  public static double erfc(double x) {
    if (Double.isNaN(x)) return x;
    if (x < 0) return 2 - erfc(-x);
    return x <= 3 ? 1 - series(x) : continuedFraction(x);
  }

  /** The standard normal CDF Phi(x) = erfc(-x / sqrt 2) / 2: GELU_ERF(x) = x Phi(x). */
  public static double phi(double x) {
    return 0.5 * erfc(-x * INV_SQRT_2);
  }

  /** The standard normal density, Phi'(x): GELU_ERF'(x) = Phi(x) + x phi(x). */
  public static double density(double x) {
    return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
  }

  private static double series(double x) {
    double x2 = x * x, term = x, sum = x;
    for (int n = 1; n < 200 && term > 1e-17 * sum; n++) {
      term *= 2 * x2 / (2 * n + 1);
      sum += term;
    }
    return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  }

  /** erfc(x) for x > 3, evaluated from the tail: 60 levels reach double precision there. */
  private static double continuedFraction(double x) {
    if (x > 27) return 0; // e^{-729} underflows
    double f = x;
    for (int k = 60; k >= 1; k--) f = x + 0.5 * k / f;
    return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f);
  }
}
