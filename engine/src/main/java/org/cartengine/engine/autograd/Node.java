package org.cartengine.engine.autograd;

import org.cartengine.engine.Tensor;

/** One recorded op: its name (for error messages), its inputs and its backward closure. */
public final class Node {
  public final String op;
  final Tensor[] inputs;
  final BackwardFn fn;

  Node(String op, Tensor[] inputs, BackwardFn fn) {
    this.op = op;
    this.inputs = inputs;
    this.fn = fn;
  }

  /** What remains once backward has run: the op's name, without inputs or closure. */
  Node freed() {
    return new Node(op, new Tensor[0], null);
  }

  /** Whether backward already ran through this node (its graph is gone). */
  public boolean isFreed() {
    return fn == null;
  }
}
