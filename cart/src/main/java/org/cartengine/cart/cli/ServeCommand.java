package org.cartengine.cart.cli;

import org.cartengine.cart.UserError;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.cartengine.cart.serve.SearchServer;
import org.cartengine.cart.serve.Searcher;
import org.cartengine.engine.backend.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Serve a trained run over HTTP: a JSON search API and a web page at /. POST /api/reload from this machine loads the run directory again (a new model or identifiers) without failing a request. Stops cleanly on SIGTERM or Ctrl-C.")
public final class ServeCommand implements Callable<Integer> {
  @Option(names = "--run", description = "Run directory of `cart train` (default: ${DEFAULT-VALUE}).")
  Path runDir = Path.of("runs", "emoji");

  @Option(names = "--host", description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 exposes the server to the network).")
  String host = "127.0.0.1";

  @Option(names = "--port", description = "Port (0: any free port; default: ${DEFAULT-VALUE}).")
  int port = 8080;

  @Option(names = "--beam", description = "Beam width; also the largest k a query may ask for (default: ${DEFAULT-VALUE}).")
  int beam = 10;

  @Option(names = "--batch", description = "Most queries searched together (default: ${DEFAULT-VALUE}).")
  int batch = 64;

  @Option(names = "--batch-wait-ms", description = "Longest a query waits for others to join its batch (default: ${DEFAULT-VALUE}).")
  double batchWaitMs = 2;

  @Option(names = "--rerank", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Re-rank the beam's candidates with the run's text tower and the weight chosen on val (rerank.json) (default: on when the run "
          + "has one; --no-rerank for CART's own order).")
  boolean rerank;

  @Option(names = "--pictures", paramLabel = "DIR", description = "Directory of pictures for items without media of their own: "
      + "DIR/ID.png (or another image type: .jpg, .webp, .svg, ...) for the item with that id. For the embedded emoji dataset, "
      + "cart/prep/emoji/fetch-pictures.sh DIR fetches its Twemoji PNGs.")
  Path pictures;

  @Mixin DeviceOption device = new DeviceOption();

  /** The run directory as it is on disk now, with its re-rank when asked for and the run has one. */
  private Searcher open(Backend be, Searcher.Options opts) throws java.io.IOException {
    org.cartengine.cart.run.TrainedRun run = org.cartengine.cart.run.TrainedRun.load(runDir, be);
    org.cartengine.cart.serve.EmbeddingReranker rr = rerank ? org.cartengine.cart.serve.EmbeddingReranker.of(run, be) : null;
    if (rr != null) opts = opts.withReranker(rr).withBeam(rr.beam(beam));
    return Searcher.of(run, opts);
  }

  @Override
  public Integer call() throws Exception {
    if (pictures != null && !java.nio.file.Files.isDirectory(pictures)) throw new UserError("--pictures: " + pictures + " is not a directory");
    if (port < 0 || port > 65535) throw new UserError("--port must be in [0, 65535], not " + port);
    if (beam < 1) throw new IllegalArgumentException("--beam must be at least 1, not " + beam);
    if (batch < 1) throw new IllegalArgumentException("--batch must be at least 1, not " + batch);
    if (!(batchWaitMs >= 0 && batchWaitMs <= 1000)) throw new IllegalArgumentException("--batch-wait-ms must be in [0, 1000], not " + batchWaitMs);
    SearchServer.Options so = SearchServer.Options.defaults().withAddress(host, port);
    Backend be = device.backend();
    Searcher.Options base = Searcher.Options.defaults().withBeam(beam).withBatch(batch, Math.round(batchWaitMs * 1000)).withBackend(be);
    Searcher searcher = open(be, base);
    var rr = searcher.options().reranker();
    // POST /api/reload (loopback only) opens the run directory again, as it is on disk then, with the same options.
    SearchServer server = new SearchServer(searcher, so, () -> open(be, base), pictures);
    try {
      server.start();
    } catch (java.io.IOException e) {
      searcher.close();
      throw new java.io.IOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    // SIGTERM and Ctrl-C run shutdown hooks: stop accepting, finish requests in flight, close the searcher.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.err.println("cart serve: stopping");
      server.stop();
      stopped.countDown();
    }, "cart-serve-shutdown"));
    System.out.printf("serving %s (%d items, beam %d%s) at http://%s:%d/%n", runDir, searcher.dataset().size(), beam,
        rr instanceof org.cartengine.cart.serve.EmbeddingReranker e ? String.format(", embedding re-rank w %.1f", e.weight()) : "", host, server.port());
    System.out.flush();
    server.join();
    stopped.await();
    return 0;
  }
}
