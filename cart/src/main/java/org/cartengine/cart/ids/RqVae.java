package org.cartengine.cart.ids;

import java.util.ArrayList;
import java.util.List;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.autograd.Autograd;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.nn.Linear;
import org.cartengine.engine.nn.Module;
import org.cartengine.engine.nn.Rng;
import org.cartengine.engine.ops.Elementwise;
import org.cartengine.engine.ops.Embedding;
import org.cartengine.engine.ops.Quantize;
import org.cartengine.engine.ops.Softmax;

/**
 * The RQ-VAE of section 3.2.2 and appendix C: an MLP encoder E (input -> 512 -> 256 -> 128 -> 64 with
 * ELU), M residual codebooks C_1..C_M of N codes each (not shared), and the symmetric decoder D.
 *
 * <p>Quantisation: r_0 = z = E(x); v_m = argmin_n ||r_{m-1} - e_m^n||; r_m = r_{m-1} - e_m^{v_m};
 * Q(z) = sum_m e_m^{v_m}. Loss, eq. (1): L = ||x - D(Q(E(x)))||^2 + alpha * sum_m (||sg[r_{m-1}] - e_m||^2
 * + beta * ||r_{m-1} - sg[e_m]||^2), each term a mean over elements (PyTorch's mse_loss convention).
 * The straight-through estimator passes the decoder's gradient to z unchanged: the decoder sees
 * z + sg[Q(z) - z]; the residual chain subtracts sg[e_m], so every level's commitment term also
 * reaches the encoder with an identity Jacobian.
 *
 * <p>Parameter names (checkpoint keys): encoder.L.weight/bias, decoder.L.weight/bias, codebooks.m.
 */
public final class RqVae extends Module {
  /** A stack of Linear layers with ELU between them (none after the last). */
  static final class Mlp extends Module {
    final List<Linear> layers = new ArrayList<>();

    Mlp(Backend be, Rng rng, String name, int[] dims) {
      for (int i = 0; i + 1 < dims.length; i++) layers.add(module(String.valueOf(i), new Linear(be, DType.F32, rng, name + "." + i, dims[i], dims[i + 1], true)));
    }

    Tensor forward(Tensor x) {
      for (int i = 0; i < layers.size(); i++) {
        x = layers.get(i).forward(x);
        if (i + 1 < layers.size()) x = Elementwise.elu(x, 1.0);
      }
      return x;
    }
  }

  /** One training step's tensors. codes[m] is I32 [B]; levelInputs[m] is r_{m} (detached), the vectors codebook m quantised. */
  public record Output(Tensor loss, Tensor reconLoss, Tensor commitLoss, Tensor[] codes, Tensor[] levelInputs) {}

  final Mlp encoder;
  final Mlp decoder;
  final Tensor[] codebooks;
  final int inDim;
  final int latentDim;
  final int codebookSize;
  private final double alpha;
  private final double beta;

  /**
   * @param hidden encoder hidden widths (paper: 512, 256, 128); the decoder mirrors them
   * @param levels M, the number of residual codebooks (paper: 2)
   * @param codebookSize N codes per codebook (paper: 128)
   * @param alpha weight of the commitment term in eq. (1); beta weighs ||r - sg[e]||^2 inside it
   */
  public RqVae(Backend be, Rng rng, int inDim, int[] hidden, int latentDim, int levels, int codebookSize, double alpha, double beta) {
    this.inDim = inDim;
    this.latentDim = latentDim;
    this.codebookSize = codebookSize;
    this.alpha = alpha;
    this.beta = beta;
    int[] enc = new int[hidden.length + 2], dec = new int[hidden.length + 2];
    enc[0] = inDim;
    System.arraycopy(hidden, 0, enc, 1, hidden.length);
    enc[enc.length - 1] = latentDim;
    for (int i = 0; i < enc.length; i++) dec[i] = enc[enc.length - 1 - i];
    encoder = module("encoder", new Mlp(be, rng, "encoder", enc));
    decoder = module("decoder", new Mlp(be, rng, "decoder", dec));
    codebooks = new Tensor[levels];
    java.util.Random r = rng.forName("codebooks");
    // Placeholder values: the trainer replaces them with k-means centroids of each level's residuals.
    for (int m = 0; m < levels; m++) codebooks[m] = param("codebooks." + m, Tensor.randn(be, DType.F32, r, 1.0 / Math.sqrt(latentDim), codebookSize, latentDim));
  }

  public int levels() {
    return codebooks.length;
  }

  public int codebookSize() {
    return codebookSize;
  }

  public int inDim() {
    return inDim;
  }

  public int latentDim() {
    return latentDim;
  }

  public Tensor encode(Tensor x) {
    return encoder.forward(x);
  }

  public Tensor decode(Tensor zq) {
    return decoder.forward(zq);
  }

  /** Forward pass with the loss of eq. (1). */
  public Output forward(Tensor x) {
    Tensor z = encode(x);
    Tensor r = z;
    Tensor sumE = null, commit = null;
    Tensor[] codes = new Tensor[levels()], inputs = new Tensor[levels()];
    for (int m = 0; m < levels(); m++) {
      inputs[m] = r.detach();
      Quantize.Result q = Quantize.nearest(r, codebooks[m]);
      codes[m] = q.indices();
      Tensor term = q.codebookLoss().add(q.commitmentLoss().mul(beta));
      commit = commit == null ? term : commit.add(term);
      Tensor e = q.quantized().detach();
      sumE = sumE == null ? e : sumE.add(e);
      r = r.sub(e);
    }
    // Straight-through: value Q(z), gradient identity to z.
    Tensor zq = z.add(sumE.sub(z.detach()));
    Tensor recon = Softmax.mse(decode(zq), x);
    Tensor loss = recon.add(commit.mul(alpha));
    return new Output(loss, recon, commit, codes, inputs);
  }

  /** Codes of each row of x (I32 [B, M] flattened row-major), without gradient. Also returns Q(z) when zqOut != null. */
  public int[] quantize(Tensor x, Tensor[] zqOut) {
    try (AutoCloseable ng = Autograd.noGrad()) {
      int b = x.dim(0), levels = levels();
      Tensor r = encode(x), zq = null;
      int[] out = new int[b * levels];
      for (int m = 0; m < levels; m++) {
        Tensor idx = Quantize.nearestIndices(r, codebooks[m], null);
        Tensor e = Embedding.lookup(codebooks[m], idx);
        int[] v = idx.toIntArray();
        for (int i = 0; i < b; i++) out[i * levels + m] = v[i];
        r = r.sub(e);
        zq = zq == null ? e : zq.add(e);
      }
      if (zqOut != null) zqOut[0] = zq;
      return out;
    } catch (Exception e) {
      throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
    }
  }
}
