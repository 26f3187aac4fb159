package org.cartengine.cart.train;

/** The loss became NaN or infinite; the last good checkpoint on disk is left as it was. */
public final class TrainingDiverged extends RuntimeException {
  public TrainingDiverged(String msg) {
    super(msg);
  }
}
