package org.cartengine.cart.serve;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The run a server answers from, replaceable while it serves: a reload opens the new run beside the old one,
 * makes it current, then closes the old searcher, which first answers every query already queued on it. A
 * request that reaches the old searcher after it closed is sent on to the new one ({@link ApiHandler}), so a
 * reload fails or drops no request. A reload that cannot open the new run leaves the old one serving.
 */
final class ServedRun {
  /** A searcher and the media rules of its dataset, swapped together. */
  record Live(Searcher searcher, MediaFiles media) {
    static Live of(Searcher s) {
      return new Live(s, new MediaFiles(s.dataset()));
    }
  }

  /** Why a reload did not happen; the old run is still serving. */
  static final class ReloadRefused extends Exception {
    final int status;

    ReloadRefused(int status, String message, Throwable cause) {
      super(message, cause);
      this.status = status;
    }
  }

  /** What a reload did. */
  record Reloaded(Live live, double seconds) {}

  private volatile Live live;
  private final SearchServer.Reopener opener;
  private final ReentrantLock reloading = new ReentrantLock();
  private final AtomicLong reloads = new AtomicLong();

  ServedRun(Searcher initial, SearchServer.Reopener opener) {
    this.live = Live.of(initial);
    this.opener = opener;
  }

  Live current() {
    return live;
  }

  long reloads() {
    return reloads.get();
  }

  boolean canReload() {
    return opener != null;
  }

  /** Opens the run again, swaps it in and closes the old searcher once its queued queries are answered. */
  Reloaded reload() throws ReloadRefused {
    if (opener == null) throw new ReloadRefused(409, "this server was started without a run directory to reload", null);
    if (!reloading.tryLock()) throw new ReloadRefused(409, "a reload is already under way", null);
    try {
      long t0 = System.nanoTime();
      Searcher next;
      try {
        next = opener.open();
      } catch (Exception | Error e) {
        throw new ReloadRefused(422, "the run could not be loaded, the previous one is still serving: " + e.getMessage(), e);
      }
      Live old = live;
      live = Live.of(next);
      old.searcher().close();
      reloads.incrementAndGet();
      return new Reloaded(live, (System.nanoTime() - t0) / 1e9);
    } finally {
      reloading.unlock();
    }
  }

  /** Closes the current searcher (the server is stopping). */
  void close() {
    live.searcher().close();
  }
}
