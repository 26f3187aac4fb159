package org.cartengine.engine.backend;

public enum ReduceOp {
  SUM, MAX
}
