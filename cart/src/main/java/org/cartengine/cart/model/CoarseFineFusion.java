package org.cartengine.cart.model;

import java.util.ArrayList;
import java.util.List;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;
import org.cartengine.engine.nn.AttentionMemory;
import org.cartengine.engine.nn.CrossAttentionBlock;
import org.cartengine.engine.nn.Linear;
import org.cartengine.engine.nn.Module;
import org.cartengine.engine.nn.MultiHeadAttention;
import org.cartengine.engine.nn.Rng;
import org.cartengine.engine.ops.Elementwise;
import org.cartengine.engine.ops.Views;

/**
 * CART's coarse-to-fine feature fusion (paper section 3.4), replacing a decoder layer's
 * cross-attention. Its output, coarse feature + fine feature, feeds the rest of the decoder layer.
 *
 * <ul>
 *   <li>Coarse fusion, eqs. (2)-(3): Z = W [E1..ES] + b; G = (1/S) * sigmoid(Attention(Wq Y, Wk Z, Wv Z)).
 *   <li>Fine fusion, eqs. (4)-(5): L = sum_i alpha_i * C(Y, Ei), alpha_i = sigmoid(Wi [Y, C(Y, Ei)] + b).
 * </ul>
 *
 * Where the paper is silent we chose: the fine branch uses ONE cross-attention C(.,.) shared by all
 * encoder layers (as in the meshed-memory Transformer the paper cites), separate from the coarse
 * branch's attention; each layer i has its own gate Wi (eq. 5 indexes Wi) with its own bias; the
 * gate alpha_i is a vector (one value per feature), and alpha_i * C is computed by the fused
 * sigmoid-gate op.
 */
public final class CoarseFineFusion extends Module implements CrossAttentionBlock {
  private final Linear fuse;
  private final MultiHeadAttention coarseAttn;
  private final MultiHeadAttention fineAttn;
  private final List<Linear> gates = new ArrayList<>();
  private final int layers;

  public CoarseFineFusion(Backend be, DType dt, Rng rng, String name, int dModel, int heads, int encoderLayers) {
    this.layers = encoderLayers;
    fuse = module("fuse", new Linear(be, dt, rng, name + ".fuse", encoderLayers * dModel, dModel, true));
    coarseAttn = module("coarseAttn", new MultiHeadAttention(be, dt, rng, name + ".coarseAttn", dModel, heads));
    fineAttn = module("fineAttn", new MultiHeadAttention(be, dt, rng, name + ".fineAttn", dModel, heads));
    for (int i = 0; i < encoderLayers; i++) gates.add(module("gate" + i, new Linear(be, dt, rng, name + ".gate" + i, 2 * dModel, dModel, true)));
  }

  @Override
  public Tensor forward(Tensor y, List<Tensor> encoderLayers, Tensor memoryPadding) {
    if (encoderLayers.size() != layers) throw new IllegalArgumentException("fusion built for " + layers + " encoder layers, got " + encoderLayers.size());
    // Coarse: eq. (2) then eq. (3).
    Tensor z = fuse.forward(Views.concat(encoderLayers, -1));
    Tensor coarse = coarseAttn.forward(y, z, memoryPadding, false).sigmoid().mul(1.0 / layers);
    // Fine: eqs. (4)-(5).
    Tensor fine = null;
    for (int i = 0; i < layers; i++) {
      Tensor c = fineAttn.forward(y, encoderLayers.get(i), memoryPadding, false);
      Tensor gateLogits = gates.get(i).forward(Views.concat(List.of(y, c), -1));
      Tensor term = Elementwise.sigmoidGate(gateLogits, c);
      fine = fine == null ? term : fine.add(term);
    }
    return coarse.add(fine);
  }

  /**
   * The encoder memory as incremental decoding reads it, projected once per query: the coarse
   * branch's keys and values of Z (eq. 2, Z itself computed here once) and the fine branch's keys and
   * values of every encoder layer Ei (eq. 4).
   */
  record FusionMemory(AttentionMemory coarse, List<AttentionMemory> fine) implements Memory {}

  @Override
  public Memory prepare(List<Tensor> encoderLayers, Tensor memoryPadding) {
    if (encoderLayers.size() != layers) throw new IllegalArgumentException("fusion built for " + layers + " encoder layers, got " + encoderLayers.size());
    Tensor z = fuse.infer(Views.concat(encoderLayers, -1));
    List<AttentionMemory> fine = new ArrayList<>();
    for (Tensor e : encoderLayers) fine.add(fineAttn.projectMemory(e, memoryPadding));
    return new FusionMemory(coarseAttn.projectMemory(z, memoryPadding), fine);
  }

  /**
   * {@link #forward} for one new position per row. The fine branch's query projection of y is shared
   * by all S attentions C(Y, Ei) (one C, as in forward), so it is made once per step, not S times.
   */
  @Override
  public Tensor forwardStep(Tensor y, Memory memory, int[] groupStart) {
    FusionMemory m = (FusionMemory) memory;
    Tensor coarse = coarseAttn.forwardMemory(y, m.coarse(), groupStart).sigmoid().mul(1.0 / layers);
    Tensor qh = fineAttn.queryRows(y);
    Tensor fine = null;
    for (int i = 0; i < layers; i++) {
      Tensor c = fineAttn.attendMemory(qh, m.fine().get(i), groupStart);
      Tensor term = Elementwise.sigmoidGate(gates.get(i).infer(Views.concat(List.of(y, c), -1)), c);
      fine = fine == null ? term : fine.add(term);
    }
    return coarse.add(fine);
  }
}
