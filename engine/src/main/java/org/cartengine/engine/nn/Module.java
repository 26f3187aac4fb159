package org.cartengine.engine.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cartengine.engine.Tensor;

/**
 * A tree of named parameters and submodules. Names are dotted paths ("decoder.layers.0.ffn.w1")
 * and are the keys of checkpoints, so they must stay stable.
 */
public abstract class Module {
  private final Map<String, Tensor> params = new LinkedHashMap<>();
  private final Map<String, Module> children = new LinkedHashMap<>();
  private boolean training = true;

  protected Tensor param(String name, Tensor t) {
    if (params.containsKey(name) || children.containsKey(name)) throw new IllegalArgumentException("duplicate parameter name " + name);
    t.requiresGrad(true).named(name);
    params.put(name, t);
    return t;
  }

  protected <M extends Module> M module(String name, M m) {
    if (params.containsKey(name) || children.containsKey(name)) throw new IllegalArgumentException("duplicate module name " + name);
    children.put(name, m);
    return m;
  }

  /** All parameters of this tree, by dotted name, in registration order. */
  public Map<String, Tensor> parameters() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    collect("", out);
    return out;
  }

  private void collect(String prefix, Map<String, Tensor> out) {
    for (var e : params.entrySet()) out.put(prefix + e.getKey(), e.getValue());
    for (var e : children.entrySet()) e.getValue().collect(prefix + e.getKey() + ".", out);
  }

  public long parameterCount() {
    long n = 0;
    for (Tensor t : parameters().values()) n += t.numel();
    return n;
  }

  public List<Module> children() {
    return new ArrayList<>(children.values());
  }

  /**
   * For a frozen tree (weights loaded once and never changed again, e.g. a pretrained encoder): every {@link Linear}
   * below keeps a copy of W^T for {@link Linear#infer}. See {@link Linear#keepTransposedForInference}.
   */
  public void keepTransposedForInference() {
    for (Module m : children.values()) m.keepTransposedForInference();
  }

  /** Training mode enables dropout. */
  public void train(boolean on) {
    training = on;
    for (Module m : children.values()) m.train(on);
  }

  public boolean isTraining() {
    return training;
  }

  public void zeroGrad() {
    for (Tensor t : parameters().values()) t.zeroGrad();
  }

  /** Replaces a parameter's values in place (checkpoint loading), keeping its identity in optimisers. */
  public static void assign(Tensor param, Tensor value) {
    if (!java.util.Arrays.equals(param.shape(), value.shape()) || param.dtype() != value.dtype())
      throw new IllegalArgumentException("assign: " + param.name() + " is " + param.dtype() + java.util.Arrays.toString(param.shape()) + ", value is " + value.dtype() + java.util.Arrays.toString(value.shape()));
    Tensor v = value.backend() == param.backend() ? value.contiguous() : value.to(param.backend(), param.dtype());
    param.backend().copyStrided(v.buffer(), v.offset(), v.strides(), param.buffer(), param.offset(), param.strides(), param.shape(), false);
  }
}
