package org.cartengine.cart.serve;

import java.net.InetSocketAddress;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.server.handler.SizeLimitHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTP server of {@code cart serve} on Jetty 12 (core handler API, no servlet layer): the JSON API and
 * the web page over one {@link Searcher}. Limits on headers, URI, body, connections and idle time are set
 * here; {@link #stop()} stops accepting, lets requests in flight finish, then closes the searcher.
 */
public final class SearchServer implements AutoCloseable {

  /**
   * @param host address to bind (127.0.0.1 unless told otherwise)
   * @param port port to bind (0: any free port)
   * @param maxBodyBytes largest request body (POST /api/search)
   * @param maxBatchQueries most queries in one POST /api/search
   * @param maxHeaderBytes largest request line plus headers
   * @param maxConnections most open connections; more wait in the accept queue
   * @param idleTimeoutMillis a connection that sends nothing for this long is closed
   * @param searchTimeoutMillis longest a request waits for its search before a 503
   * @param stopTimeoutMillis longest a stop waits for requests in flight
   */
  public record Options(String host, int port, int maxBodyBytes, int maxBatchQueries, int maxHeaderBytes, int maxConnections,
      long idleTimeoutMillis, long searchTimeoutMillis, long stopTimeoutMillis) {
    public Options {
      if (port < 0 || port > 65535) throw new IllegalArgumentException("--port: " + port + " is not a TCP port (0-65535)");
      if (host == null || host.isBlank()) throw new IllegalArgumentException("--host: empty");
    }

    public static Options defaults() {
      return new Options("127.0.0.1", 8080, 64 * 1024, 256, 8 * 1024, 512, 10_000, 30_000, 10_000);
    }

    public Options withAddress(String h, int p) {
      return new Options(h, p, maxBodyBytes, maxBatchQueries, maxHeaderBytes, maxConnections, idleTimeoutMillis, searchTimeoutMillis, stopTimeoutMillis);
    }

    public Options withIdleTimeout(long millis) {
      return new Options(host, port, maxBodyBytes, maxBatchQueries, maxHeaderBytes, maxConnections, millis, searchTimeoutMillis, stopTimeoutMillis);
    }
  }

  private final Server server;
  private final ServerConnector connector;
  private final ServedRun served;
  private volatile boolean stopped;

  /** Opens the run again for a reload (POST /api/reload). */
  @FunctionalInterface
  public interface Reopener {
    Searcher open() throws Exception;
  }

  /** A server over {@code searcher} that cannot reload (POST /api/reload answers 409). */
  public SearchServer(Searcher searcher, Options o) {
    this(searcher, o, null);
  }

  /**
   * A server over {@code searcher}; POST /api/reload from the loopback address calls {@code reopen} for a new
   * searcher and swaps it in without failing a request (null: no reload).
   */
  public SearchServer(Searcher searcher, Options o, Reopener reopen) {
    this(searcher, o, reopen, null);
  }

  /**
   * As {@link #SearchServer(Searcher, Options, Reopener)}, with pictures for the items that have no media of their
   * own from {@code pictures} (null: none), served at /pictures/ ({@link PictureDir}).
   */
  public SearchServer(Searcher searcher, Options o, Reopener reopen, java.nio.file.Path pictures) {
    PictureDir pics = pictures == null ? PictureDir.NONE : PictureDir.of(pictures);
    this.served = new ServedRun(searcher, reopen);
    QueuedThreadPool pool = new QueuedThreadPool(64, 4);
    pool.setName("cart-http");
    pool.setDaemon(true);
    server = new Server(pool);
    HttpConfiguration http = new HttpConfiguration();
    http.setRequestHeaderSize(o.maxHeaderBytes());
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost(o.host());
    connector.setPort(o.port());
    connector.setIdleTimeout(o.idleTimeoutMillis());
    server.addConnector(connector);
    server.addBean(new NetworkConnectionLimit(o.maxConnections(), server));
    ServerStats stats = new ServerStats();
    server.setErrorHandler(new JsonErrorHandler(stats));
    ApiHandler api = new ApiHandler(served, o, stats, pool, pics);
    // The size limit answers 413 for a body larger than allowed, whatever Content-Length claims.
    SizeLimitHandler sized = new SizeLimitHandler(o.maxBodyBytes(), -1);
    sized.setHandler(api);
    server.setHandler(new GracefulHandler(sized));
    server.setStopTimeout(o.stopTimeoutMillis());
    server.setStopAtShutdown(false); // stop() runs from cart serve's own shutdown hook, before the searcher closes
  }

  /** Binds and starts serving; returns once the port is open. */
  public SearchServer start() throws Exception {
    server.start();
    return this;
  }

  /** The bound port (the chosen one when started with port 0). */
  public int port() {
    return connector.getLocalPort();
  }

  public String host() {
    return connector.getHost();
  }

  public InetSocketAddress address() {
    return new InetSocketAddress(host(), port());
  }

  /** The searcher answering now (a reload replaces it). */
  public Searcher searcher() {
    return served.current().searcher();
  }

  /** Blocks until the server stops. */
  public void join() throws InterruptedException {
    server.join();
  }

  /** Stops accepting connections, waits for requests in flight (up to the stop timeout), then closes the searcher. */
  public synchronized void stop() {
    if (stopped) return;
    stopped = true;
    try {
      server.stop();
    } catch (Exception e) {
      System.err.println("cart serve: stopping the HTTP server: " + e);
    } finally {
      served.close();
    }
  }

  @Override
  public void close() {
    stop();
  }
}
