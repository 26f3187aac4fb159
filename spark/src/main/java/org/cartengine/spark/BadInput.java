package org.cartengine.spark;

/** Input that the job refuses (the CLI's one user-error type, {@link org.cartengine.cart.UserError}), with a message naming the file, row or argument (the command exits with status 2). */
public final class BadInput extends org.cartengine.cart.UserError {
  public BadInput(String message) {
    super(message);
  }
}
