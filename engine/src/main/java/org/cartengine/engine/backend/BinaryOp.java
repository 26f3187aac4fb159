package org.cartengine.engine.backend;

/** Elementwise binary functions with NumPy broadcasting (expressed as zero strides). */
public enum BinaryOp {
  ADD, SUB, MUL, DIV, MAX, MIN
}
