package org.cartengine.engine.nn;

import java.util.SplittableRandom;

/**
 * Seeded randomness for a model: initialisation draws from a java.util.Random seeded here, and every
 * dropout call takes the next value of a counter mixed with the seed, so a run is reproducible and
 * its state (seed, counter) can be checkpointed and restored.
 */
public final class Rng {
  private final long seed;
  private long counter;

  public Rng(long seed) {
    this.seed = seed;
  }

  public long seed() {
    return seed;
  }

  public long counter() {
    return counter;
  }

  public void setCounter(long c) {
    counter = c;
  }

  /** A fresh 64-bit seed for one dropout mask. */
  public long nextSeed() {
    return new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * ++counter)).nextLong();
  }

  /** A java.util.Random for initialisation of the named parameter (independent of creation order elsewhere). */
  public java.util.Random forName(String name) {
    return new java.util.Random(seed * 31 + name.hashCode());
  }
}
