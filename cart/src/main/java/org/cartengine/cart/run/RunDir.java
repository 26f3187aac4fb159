package org.cartengine.cart.run;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.cartengine.cart.model.CartConfig;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.text.PretrainedQueryFeatures;
import org.cartengine.cart.text.QueryTokenizer;
import org.cartengine.cart.text.SentenceEncoder;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.io.AtomicFiles;
import org.cartengine.engine.io.Safetensors;
import org.cartengine.engine.io.SealedJson;
import org.cartengine.engine.nn.Rng;

/**
 * A training run's directory: run.json (dataset, model and training settings), tokenizer.json,
 * index/ (identifiers and their models), last.safetensors / best.safetensors, metrics.json and
 * training.png. Every file is written with {@link AtomicFiles}; the JSON files and checkpoints carry
 * their SHA-256 ({@link SealedJson}, {@link Safetensors}) and are verified when read. A run directory
 * from before checksums is read with one warning per file.
 */
public final class RunDir {
  public static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();
  /** The names of a run directory's files; every other class names them through these. */
  public static final String RUN_JSON = "run.json";
  public static final String TOKENIZER_JSON = "tokenizer.json";
  public static final String INDEX_DIR = "index";
  public static final String BEST_WEIGHTS = "best.safetensors";
  public static final String LAST_CHECKPOINT = "last.safetensors";
  public static final String ALIGNER_WEIGHTS = "aligner.safetensors";
  public static final String DUAL_TOWER_WEIGHTS = "dual_tower.safetensors";
  public static final String CAPTION_SPACE_NPY = "caption_space.npy";
  public static final String METRICS_JSON = "metrics.json";
  public static final String RERANK_JSON = "rerank.json";
  public static final String TRAINING_PNG = "training.png";

  public final Path dir;

  public RunDir(Path dir) {
    this.dir = dir;
  }

  public Path index() {
    return dir.resolve(INDEX_DIR);
  }

  public Path tokenizer() {
    return dir.resolve(TOKENIZER_JSON);
  }

  public Path runJson() {
    return dir.resolve(RUN_JSON);
  }

  public Path best() {
    return dir.resolve(BEST_WEIGHTS);
  }

  /** The dual tower's text encoder, used as the baseline and by the embedding re-rank. */
  public Path dualTower() {
    return dir.resolve(DUAL_TOWER_WEIGHTS);
  }

  /** The items' caption-space vectors (cart.text.CaptionSpace) of a run with a pretrained text encoder. */
  public Path captionSpace() {
    return dir.resolve(CAPTION_SPACE_NPY);
  }

  public Path metrics() {
    return dir.resolve(METRICS_JSON);
  }

  /** The trainer's checkpoint to resume from (weights, optimiser state, progress). */
  public Path last() {
    return dir.resolve(LAST_CHECKPOINT);
  }

  /** The retriever's alignment head, beside the best weights. */
  public Path aligner() {
    return dir.resolve(ALIGNER_WEIGHTS);
  }

  /** The embedding re-rank chosen by {@code cart train} (see {@link RerankConfig}). */
  public Path rerank() {
    return dir.resolve(RERANK_JSON);
  }

  public Path trainingPlot() {
    return dir.resolve(TRAINING_PNG);
  }

  /** Writes a report file (not read back by the project, so not sealed) atomically. */
  public static void writeAtomic(Path file, String text) throws IOException {
    AtomicFiles.writeString(file, text);
  }

  /** Writes run.json; {@code train} is the run's training settings (cart.train.TrainConfig). */
  public void writeRun(String data, CartConfig model, Record train, long seed) throws IOException {
    JsonObject o = new JsonObject();
    o.addProperty("data", data);
    o.add("model", GSON.toJsonTree(model));
    o.add("train", GSON.toJsonTree(train));
    o.addProperty("seed", seed);
    SealedJson.write(runJson(), o);
  }

  public JsonObject readRun() throws IOException {
    if (!Files.exists(runJson())) throw new IOException(runJson() + " not found: is " + dir + " a training run directory (made by `cart train --out`)?");
    return SealedJson.read(runJson());
  }

  /** The trained model with its best weights. */
  public CartModel loadModel(Backend be) throws IOException {
    JsonObject run = readRun();
    CartConfig cfg = GSON.fromJson(run.get("model"), CartConfig.class);
    CartModel m = new CartModel(be, CartModel.DTYPE, new Rng(run.get("seed").getAsLong()), cfg);
    if (!Files.exists(best())) throw new IOException(best() + " not found: training has not finished an epoch in " + dir);
    Map<String, Tensor> w = Safetensors.read(best(), be);
    Safetensors.loadInto(m, w, best().toString());
    m.train(false);
    if (cfg.pretrainedText()) m.attach(new PretrainedQueryFeatures(SentenceEncoder.shared(be), be, Math.max(1, cfg.textLayers())));
    return m;
  }

  public QueryTokenizer loadTokenizer() throws IOException {
    return QueryTokenizer.load(tokenizer());
  }
}
