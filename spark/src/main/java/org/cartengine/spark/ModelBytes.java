package org.cartengine.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.cartengine.cart.ids.CoarseFineModel;
import org.cartengine.cart.ids.IndexConfig;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.io.Safetensors;

/**
 * The identifier model as it travels to executors in a broadcast: the bytes of its model.safetensors
 * (the file {@code cart index} writes) and the index configuration, so an executor rebuilds exactly the
 * driver's model with the same loader {@code cart index --add} uses.
 */
public record ModelBytes(byte[] safetensors, String configJson) implements Serializable {

  /** The saved tensors of a model (K-Means centroids, standardiser, RQ-VAE) with its configuration. */
  public static ModelBytes of(CoarseFineModel model, IndexConfig cfg) {
    try {
      Path tmp = Files.createTempFile("cart-model", ".safetensors");
      try {
        Map<String, Tensor> t = model.tensors();
        Safetensors.write(tmp, t, Map.of("format", "cart-index-model", "scheme", model.scheme().cliName));
        return new ModelBytes(Files.readAllBytes(tmp), cfg.toJson());
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The model on the given backend. */
  public CoarseFineModel load(Backend be) {
    try {
      Path tmp = Files.createTempFile("cart-model", ".safetensors");
      try {
        Files.write(tmp, safetensors);
        return CoarseFineModel.load(Safetensors.read(tmp, be), IndexConfig.fromJson(configJson), be, "broadcast model.safetensors");
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
