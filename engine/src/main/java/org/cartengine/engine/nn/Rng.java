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

  /** Per-thread counters of the shards of a data-parallel step: {counter, shard}. */
  private final ThreadLocal<long[]> shard = new ThreadLocal<>();

  /** A fresh 64-bit seed for one dropout mask. */
  public long nextSeed() {
    long[] s = shard.get();
    if (s != null) return new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * ++s[0]) ^ (0xD1B54A32D192ED03L * s[1])).nextLong();
    return new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * ++counter)).nextLong();
  }

  /**
   * Binds the calling thread to shard {@code index} of a data-parallel step that starts at the current counter: its
   * masks are a function of (seed, counter, shard), whichever thread runs it, so a run with a fixed number of shards is
   * reproducible; shard 0 draws what a step without shards would. {@link Shard#close()} on the same thread; then
   * {@link #advance} the shared counter by what the shards drew.
   */
  public Shard shard(int index) {
    if (shard.get() != null) throw new IllegalStateException("Rng: this thread already runs a shard");
    long[] s = {counter, index};
    shard.set(s);
    return new Shard(s);
  }

  /** Moves the counter past the draws of a step's shards. */
  public void advance(long draws) {
    counter += draws;
  }

  /** A thread's binding to one shard. */
  public final class Shard implements AutoCloseable {
    private final long[] state;
    private final long start;

    Shard(long[] state) {
      this.state = state;
      this.start = state[0];
    }

    /** Seeds drawn so far by this shard. */
    public long draws() {
      return state[0] - start;
    }

    @Override
    public void close() {
      if (shard.get() == state) shard.remove();
    }
  }

  /** A java.util.Random for initialisation of the named parameter (independent of creation order elsewhere). */
  public java.util.Random forName(String name) {
    return new java.util.Random(seed * 31 + name.hashCode());
  }
}
