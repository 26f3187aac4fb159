package org.cartengine.cart.serve;

import java.util.Arrays;

/**
 * The latencies of the most recent answers (a ring of fixed size, so memory stays bounded however long the
 * server runs) with the time each was answered: percentiles over the ring, and the answer rate over the
 * last {@link #RECENT_SECONDS} seconds. Thread-safe.
 */
final class LatencyWindow {
  static final int RECENT_SECONDS = 10;
  private final long[] at;
  private final long[] nanos;
  private long count;

  LatencyWindow(int size) {
    at = new long[size];
    nanos = new long[size];
  }

  synchronized void add(long now, long latencyNanos) {
    int i = (int) (count % at.length);
    at[i] = now;
    nanos[i] = latencyNanos;
    count++;
  }

  /** Latency quantiles (each in [0, 1]) in ms over the ring; zeros when nothing was answered yet. */
  double[] percentilesMs(long now, double... q) {
    long[] copy;
    synchronized (this) {
      copy = Arrays.copyOf(nanos, (int) Math.min(count, nanos.length));
    }
    double[] out = new double[q.length];
    if (copy.length == 0) return out;
    Arrays.sort(copy);
    for (int j = 0; j < q.length; j++) {
      int idx = (int) Math.ceil(q[j] * copy.length) - 1;
      out[j] = copy[Math.max(0, Math.min(copy.length - 1, idx))] / 1e6;
    }
    return out;
  }

  /** Answers per second over the last RECENT_SECONDS seconds (as far back as the ring reaches). */
  synchronized double recentRate(long now) {
    long from = now - RECENT_SECONDS * 1_000_000_000L;
    int n = (int) Math.min(count, at.length), in = 0;
    long oldest = now;
    for (int i = 0; i < n; i++)
      if (at[i] >= from) {
        in++;
        oldest = Math.min(oldest, at[i]);
      }
    if (in == 0) return 0;
    // When the ring is full of recent answers, it covers less than the whole window.
    double span = in == at.length ? Math.max(1e-3, (now - oldest) / 1e9) : RECENT_SECONDS;
    return in / span;
  }
}
