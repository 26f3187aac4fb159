package org.cartengine.cart.train;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.run.RunDir;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.io.Safetensors;
import org.cartengine.engine.nn.Rng;
import org.cartengine.engine.optim.Adam;

/**
 * The trainer's files in the run directory. {@code last.safetensors} holds the model ("model."), Adam's state
 * ("optim."), the alignment head ("align.") and, in its "trainer" metadata, the progress ({@link State}) and the RNG
 * counter: everything a resumed run needs to continue as an uninterrupted one. {@code best.safetensors} holds the kept
 * weights, and {@code aligner.safetensors} the alignment head beside them.
 */
final class Checkpoint {
  /** Prefix of the alignment head's tensors among the trainable ones and in last.safetensors. */
  static final String ALIGN = "align.";

  /** The progress of a run, saved with every epoch. */
  static final class State {
    int epochsDone;
    int step;
    /** Total optimiser steps of this run (0 until a time-budgeted run has timed its first steps). */
    int plannedSteps;
    double bestR1 = -1;
    double bestMrr = -1;
    int bestEpoch = -1;
    final List<Map<String, Double>> history = new ArrayList<>();
  }

  private final CartModel model;
  private final Trainer.Alignment align;
  private final Path dir;

  Checkpoint(CartModel model, Trainer.Alignment align, Path dir) {
    this.model = model;
    this.align = align;
    this.dir = dir;
  }

  Path last() {
    return dir.resolve(RunDir.LAST_CHECKPOINT);
  }

  Path best() {
    return dir.resolve(RunDir.BEST_WEIGHTS);
  }

  Path aligner() {
    return dir.resolve(RunDir.ALIGNER_WEIGHTS);
  }

  /** The weights to keep: the model in best.safetensors, the alignment head in aligner.safetensors. */
  void saveBest() throws IOException {
    if (align != null) Safetensors.write(aligner(), align.head().parameters(), Map.of("alignment", Double.toString(align.weight())));
    Safetensors.write(best(), model.parameters(), Map.of("config", model.cfg.toJson()));
  }

  void saveLast(State st, Rng rng, Adam opt) throws IOException {
    Map<String, Tensor> all = new LinkedHashMap<>();
    model.parameters().forEach((k, v) -> all.put("model." + k, v));
    opt.stateDict().forEach((k, v) -> all.put("optim." + k, v));
    if (align != null) align.head().parameters().forEach((k, v) -> all.put(ALIGN + k, v));
    JsonObject o = new JsonObject();
    o.addProperty("epoch", st.epochsDone);
    o.addProperty("step", st.step);
    o.addProperty("plannedSteps", st.plannedSteps);
    o.addProperty("bestR1", st.bestR1);
    o.addProperty("bestMrr", st.bestMrr);
    o.addProperty("bestEpoch", st.bestEpoch);
    o.addProperty("rngCounter", rng.counter());
    o.addProperty("adamStep", opt.stepCount());
    o.add("history", new Gson().toJsonTree(st.history));
    Safetensors.write(last(), all, Map.of("trainer", o.toString(), "config", model.cfg.toJson()));
  }

  /** Loads last.safetensors into the model, the head, {@code rng}, {@code opt} and {@code st}; false when there is none. */
  boolean resume(State st, Rng rng, Adam opt) throws IOException {
    Path f = last();
    if (!Files.exists(f)) return false;
    Map<String, String> meta = new HashMap<>();
    Map<String, Tensor> all = Safetensors.readWithMetadata(f, model.backend(), meta);
    try {
      restore(f, all, meta, st, rng, opt);
      return true;
    } catch (RuntimeException e) {
      // names the file; a checkpoint of another model says which tensor differs (Safetensors.loadInto)
      String msg = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
      throw new IOException(msg.startsWith(f.toString()) ? msg : f + ": not a checkpoint of this run: " + msg, e);
    }
  }

  private void restore(Path f, Map<String, Tensor> all, Map<String, String> meta, State s, Rng rng, Adam opt) {
    Map<String, Tensor> params = new LinkedHashMap<>(), optim = new LinkedHashMap<>(), head = new LinkedHashMap<>();
    for (var e : all.entrySet()) {
      if (e.getKey().startsWith("model.")) params.put(e.getKey().substring(6), e.getValue());
      else if (e.getKey().startsWith("optim.")) optim.put(e.getKey().substring(6), e.getValue());
      else if (e.getKey().startsWith(ALIGN)) head.put(e.getKey().substring(ALIGN.length()), e.getValue());
    }
    Safetensors.loadInto(model, params, f.toString());
    if (align != null) Safetensors.loadInto(align.head(), head, f.toString());
    if (meta.get("trainer") == null) throw new IllegalArgumentException("no \"trainer\" state in its metadata");
    JsonObject st = JsonParser.parseString(meta.get("trainer")).getAsJsonObject();
    s.epochsDone = st.get("epoch").getAsInt();
    s.step = st.get("step").getAsInt();
    s.plannedSteps = st.has("plannedSteps") ? st.get("plannedSteps").getAsInt() : 0;
    s.bestR1 = st.get("bestR1").getAsDouble();
    s.bestMrr = st.has("bestMrr") ? st.get("bestMrr").getAsDouble() : -1;
    s.bestEpoch = st.get("bestEpoch").getAsInt();
    rng.setCounter(st.get("rngCounter").getAsLong());
    opt.loadState(optim, st.get("adamStep").getAsInt());
    s.history.clear();
    for (var h : st.getAsJsonArray("history")) {
      Map<String, Double> m = new LinkedHashMap<>();
      h.getAsJsonObject().entrySet().forEach(x -> m.put(x.getKey(), x.getValue().getAsDouble()));
      s.history.add(m);
    }
  }
}
