package org.cartengine.cart.ids;

/** Progress of identifier construction, for the CLI's progress bar; every method is optional. */
public interface ProgressListener {
  /** A named phase begins ("coarse token: K-Means", "fine tokens: RQ-VAE", ...). */
  default void phase(String name) {}

  /** A counted task begins: total steps (e.g. RQ-VAE optimiser steps). */
  default void start(String task, long total) {}

  /** done steps of the current task so far, with a short status (e.g. the loss). */
  default void progress(long done, String status) {}

  /** The current counted task ended. */
  default void end() {}

  ProgressListener NONE = new ProgressListener() {};
}
