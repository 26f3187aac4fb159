package org.cartengine.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.cartengine.cart.ids.Identifiers;
import org.cartengine.cart.model.CartConfig;
import org.cartengine.cart.model.CartModel;
import org.cartengine.cart.search.QueryBatch;
import org.cartengine.cart.data.PairSet;
import org.cartengine.cart.train.TrainConfig;
import org.cartengine.cart.train.Trainer;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.backend.Backends;
import org.cartengine.engine.io.Safetensors;
import org.cartengine.engine.nn.Rng;

/**
 * Writes what bench/torch_reference/parity.py checks against PyTorch: a checkpoint of the retriever
 * (parameters by name), one R-Drop batch of emoji-shaped data as the trainer builds it (queries twice,
 * padding, positions, identifier targets), the loss of eq. (8) on it and every parameter's gradient,
 * with dropout off (so both R-Drop passes agree and the comparison is deterministic).
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar
 * org.cartengine.bench.TorchParityDump OUT.safetensors [--d-model 64] [--ffn 128] [--heads 4] [--batch 16]}.
 * The backend is the usual pick (-Dcart.backend=reference for the oracle).
 */
public final class TorchParityDump {
  public static void main(String[] args) throws Exception {
    if (args.length < 1) throw new IllegalArgumentException("usage: TorchParityDump OUT.safetensors [--d-model N] [--ffn N] [--heads N] [--batch N]");
    Path out = Path.of(args[0]);
    int d = 64, ffn = 128, heads = 4, batch = 16;
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--d-model" -> d = Integer.parseInt(args[++i]);
        case "--ffn" -> ffn = Integer.parseInt(args[++i]);
        case "--heads" -> heads = Integer.parseInt(args[++i]);
        case "--batch" -> batch = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("TorchParityDump: unknown argument " + args[i]);
      }
    }
    Backend be = Backends.get();
    Random r = new Random(7);
    int n = 1911;
    Identifiers ids = RetrievalThroughput.syntheticIds(n, r);
    List<int[]> queries = new ArrayList<>();
    int[] items = new int[batch];
    for (int i = 0; i < batch; i++) {
      int[] t = new int[2 + r.nextInt(7)];
      for (int j = 0; j < t.length; j++) t[j] = 2 + r.nextInt(2998);
      queries.add(t);
      items[i] = r.nextInt(n);
    }
    PairSet train = new PairSet(queries, items, null, null);
    Rng rng = new Rng(3);
    CartConfig cfg = new CartConfig(3000, ids.vocabSizes(), d, heads, ffn, 3, 3, 0.1, 24, true);
    CartModel m = new CartModel(be, DType.F32, rng, cfg);
    m.train(false);
    double omega = 0.15;
    TrainConfig tc = new TrainConfig(1, batch, 1e-3, 1e-5, 10, 1, 1, true, omega, 0, 1.0, 10, 1, 0);
    Trainer t = new Trainer(m, rng, ids, tc, Files.createTempDirectory("cart-parity"), true);
    int[] rows = new int[batch];
    for (int i = 0; i < batch; i++) rows[i] = i;
    Tensor loss = t.loss(train, rows);
    loss.backward();

    // The batch exactly as Trainer.loss builds it: R-Drop repeats the queries, targets are the identifiers.
    int j = ids.length();
    List<int[]> qs = new ArrayList<>();
    int[] targets = new int[2 * batch * j];
    for (int c = 0; c < 2; c++) {
      for (int i = 0; i < batch; i++) {
        qs.add(queries.get(i));
        for (int p = 0; p < j; p++) targets[(c * batch + i) * j + p] = ids.token(items[i], p);
      }
    }
    QueryBatch q = QueryBatch.of(be, qs, cfg.maxQueryLength());
    Map<String, Tensor> all = new LinkedHashMap<>();
    m.parameters().forEach((k, v) -> all.put("param." + k, v));
    m.parameters().forEach((k, v) -> all.put("grad." + k, v.grad() != null ? v.grad() : Tensor.zeros(be, v.dtype(), v.shape())));
    all.put("batch.ids", q.ids());
    all.put("batch.padding", q.padding());
    all.put("batch.positions", q.positions());
    all.put("batch.targets", Tensor.ofInts(be, targets, 2 * batch, j));
    all.put("loss", loss);
    Safetensors.write(out, all, Map.of("config", cfg.toJson(), "omega", Double.toString(omega), "backend", be.name()));
    System.out.printf("wrote %s: loss %.6f, %d parameters, backend %s%n", out, loss.item(), m.parameters().size(), be.name());
  }
}
