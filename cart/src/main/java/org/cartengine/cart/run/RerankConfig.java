package org.cartengine.cart.run;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cartengine.cart.baseline.DualTower;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.ids.CoarseFineModel;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.model.QueryAligner;
import org.cartengine.cart.search.AlignedTower;
import org.cartengine.cart.search.QueryTower;
import org.cartengine.cart.search.Reranker;
import org.cartengine.cart.search.SumTower;
import java.util.ArrayList;
import java.util.List;
import org.cartengine.engine.DType;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.io.Safetensors;
import org.cartengine.engine.io.SealedJson;
import org.cartengine.engine.nn.Rng;

/**
 * The saved choice of a run's embedding re-rank, {@code rerank.json} (the {@link Reranker} it builds does the
 * re-ranking): it names the text tower ("aligner", the
 * retriever's own alignment head in aligner.safetensors, or "dual-tower", dual_tower.safetensors) and
 * the weight chosen on val by {@code cart train}.
 */
public final class RerankConfig {
  private RerankConfig() {}

  public static final String ALIGNER = "aligner";
  public static final String DUAL_TOWER = "dual-tower";
  /** The pretrained sentence encoder against the items' caption-space vectors (search.CaptionTower). */
  public static final String CAPTIONS = "captions";

  public static Path file(RunDir run) {
    return run.rerank();
  }

  public static void save(RunDir run, String tower, double weight, int beam, double priorWeight, String note, String textEncoder,
      boolean pretrainedDualTower) throws IOException {
    JsonObject o = new JsonObject();
    o.addProperty("prior_weight", priorWeight);
    if (pretrainedDualTower) o.addProperty("dual_tower", "pretrained");
    o.addProperty("tower", tower);
    o.addProperty("beam", beam);
    if (textEncoder != null) o.addProperty("text_encoder", textEncoder);
    o.addProperty("weight", weight);
    o.addProperty("note", note);
    SealedJson.write(file(run), o);
  }

  /** The run's re-ranker, or null when the run has none (trained without a text tower). */
  public static Reranker load(RunDir run, CartModel model, Dataset ds, org.cartengine.cart.ids.PrefixTrie trie, Backend be) throws IOException {
    Reranker r = loadTower(run, model, ds, be);
    if (r == null) return null;
    JsonObject o = SealedJson.read(file(run));
    double pw = o.has("prior_weight") ? o.get("prior_weight").getAsDouble() : 0;
    if (pw > 0) r.withPrior(prior(run, trie, be), pw);
    return r;
  }

  /** The caption-space guide of the run's beam search (the run must have a caption space). */
  public static org.cartengine.cart.search.CaptionPrior prior(RunDir run, org.cartengine.cart.ids.PrefixTrie trie, Backend be) throws IOException {
    if (!Files.exists(run.captionSpace())) throw new IOException(run.captionSpace() + " not found: the run was trained without a pretrained text encoder");
    var enc = org.cartengine.cart.text.TextEncoders.load(org.cartengine.cart.text.TextEncoders.MINILM, be);
    return new org.cartengine.cart.search.CaptionPrior(enc, org.cartengine.cart.text.CaptionSpace.load(run.captionSpace()), trie);
  }

  private static Reranker loadTower(RunDir run, CartModel model, Dataset ds, Backend be) throws IOException {
    Path f = file(run);
    if (!Files.exists(f)) return null;
    JsonObject o = SealedJson.read(f);
    String tower = o.get("tower").getAsString();
    double w = o.get("weight").getAsDouble();
    int beam = o.has("beam") ? o.get("beam").getAsInt() : 0;
    if (tower.contains("+")) {
      List<QueryTower> parts = new ArrayList<>();
      for (String part : tower.split("\\+")) parts.add(tower(part, f, o, run, model, ds, be));
      return new Reranker(new SumTower(parts), w, beam);
    }
    return new Reranker(tower(tower, f, o, run, model, ds, be), w, beam);
  }

  private static QueryTower tower(String tower, Path f, JsonObject o, RunDir run, CartModel model, Dataset ds, Backend be) throws IOException {
    return switch (tower) {
      case ALIGNER -> alignedTower(run.aligner(), model, ds, be);
      case DUAL_TOWER -> o.has("dual_tower") && o.get("dual_tower").getAsString().equals("pretrained")
          ? org.cartengine.cart.baseline.PretrainedDualTower.load(run.dualTower(),
              org.cartengine.cart.text.TextEncoders.load(org.cartengine.cart.text.TextEncoders.MINILM, be), ds.embeddings().toArray(), ds.size(), ds.dim(), be)
          : DualTower.load(run.dualTower(), ds.embeddings().toArray(), ds.size(), ds.dim(), be);
      case CAPTIONS -> new org.cartengine.cart.search.CaptionTower(org.cartengine.cart.text.TextEncoders.load(org.cartengine.cart.text.TextEncoders.MINILM, be),
          org.cartengine.cart.text.CaptionSpace.load(run.captionSpace()));
      default -> throw new IOException(f + ": unknown re-rank tower '" + tower + "' (known: " + ALIGNER + ", " + DUAL_TOWER + ", " + CAPTIONS
          + ", or several joined by +)");
    };
  }

  /** The alignment head saved beside the retriever's weights, over the dataset's normalised item embeddings. */
  public static QueryTower alignedTower(Path file, CartModel model, Dataset ds, Backend be) throws IOException {
    QueryAligner head = new QueryAligner(be, DType.F32, new Rng(0), model.cfg.dModel(), ds.dim());
    Safetensors.loadInto(head, Safetensors.read(file, be), file.toString());
    return new AlignedTower(model, head, normalisedItems(ds), ds.dim());
  }

  public static float[] normalisedItems(Dataset ds) {
    float[] x = ds.embeddings().toArray();
    CoarseFineModel.l2Normalize(x, ds.size(), ds.dim());
    return x;
  }
}
