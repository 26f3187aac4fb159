package org.cartengine.cart.run;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.ids.IndexResult;
import org.cartengine.cart.ids.IndexStore;
import org.cartengine.cart.ids.Identifiers;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.text.QueryTokenizer;
import org.cartengine.engine.backend.Backend;

/**
 * Everything a trained run needs to answer queries, loaded from its directory in one place (used by
 * {@code cart search}, {@code cart eval} and the searcher behind {@code cart serve}): run.json, the
 * dataset it names (or another one), the best weights, the tokenizer and the index (identifiers, trie,
 * statistics).
 */
public record TrainedRun(RunDir run, JsonObject runJson, Dataset dataset, CartModel model, QueryTokenizer tokenizer, IndexResult index) {

  /** Loads the run in {@code dir} on {@code be}, with the dataset it was trained on. */
  public static TrainedRun load(Path dir, Backend be) throws IOException {
    return load(dir, be, null);
  }

  /** As {@link #load(Path, Backend)}, with dataset {@code data} (a directory or embedded name) when not null. */
  public static TrainedRun load(Path dir, Backend be, String data) throws IOException {
    RunDir run = new RunDir(dir);
    JsonObject r = run.readRun();
    Dataset ds = Dataset.open(data != null ? data : r.get("data").getAsString());
    CartModel model = run.loadModel(be);
    // A loaded run only searches: eval mode once here, so searches on several threads never write the model's state.
    model.train(false);
    QueryTokenizer tok = run.loadTokenizer();
    IndexResult index = IndexStore.load(run.index(), be);
    if (index.identifiers().size() != ds.size())
      throw new IOException(run.index() + ": " + index.identifiers().size() + " identifiers for the " + ds.size() + " items of dataset " + ds.info().name());
    return new TrainedRun(run, r, ds, model, tok, index);
  }

  public Identifiers identifiers() {
    return index.identifiers();
  }
}
