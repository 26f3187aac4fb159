package org.cartengine.spark;

/** Input that the job refuses, with a message naming the file, row or argument (the command exits with status 2). */
public final class BadInput extends RuntimeException {
  public BadInput(String message) {
    super(message);
  }
}
