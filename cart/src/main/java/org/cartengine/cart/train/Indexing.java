package org.cartengine.cart.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.ids.IdentifierBuilder;
import org.cartengine.cart.ids.Identifiers;
import org.cartengine.cart.ids.IndexConfig;
import org.cartengine.cart.ids.IndexResult;
import org.cartengine.cart.ids.IndexStore;
import org.cartengine.engine.backend.Backend;

/** Identifiers for a training run: loaded from the run's index/ when built with the same settings, else built and saved. */
public final class Indexing {
  private Indexing() {}

  public static Identifiers loadOrBuild(Dataset ds, Path dir, IndexConfig cfg, Backend be, PrintStream log) throws IOException {
    return loadOrBuild(null, ds.dim(), ds, dir, cfg, be, log);
  }

  /** As {@link #loadOrBuild(Dataset, Path, IndexConfig, Backend, PrintStream)} on {@code vectors} [items, dim] instead of the item embeddings (null: those). */
  public static Identifiers loadOrBuild(float[] vectors, int dim, Dataset ds, Path dir, IndexConfig cfg, Backend be, PrintStream log) throws IOException {
    if (Files.exists(dir)) {
      try {
        IndexResult r = IndexStore.load(dir, be);
        if (r.config().toJson().equals(cfg.toJson()) && r.identifiers().size() == ds.size()) {
          log.println("identifiers: loaded " + r.identifiers().size() + " from " + dir);
          return r.identifiers();
        }
        log.println("identifiers: settings changed, rebuilding " + dir);
      } catch (IOException | RuntimeException e) {
        log.println("identifiers: cannot reuse " + dir + " (" + e.getMessage() + "), rebuilding");
      }
    }
    log.printf("identifiers: building (%s) for %d items of dim %d (%s space)%n", cfg.scheme, ds.size(), dim, cfg.space);
    IndexResult r = IdentifierBuilder.build(vectors != null ? vectors : ds.embeddings().toArray(), ds.size(), dim, ds.ids(), cfg, null, be);
    IndexStore.save(dir, r);
    log.println(r.stats().table());
    return r.identifiers();
  }
}
