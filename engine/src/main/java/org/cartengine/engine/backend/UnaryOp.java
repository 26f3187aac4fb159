package org.cartengine.engine.backend;

/** Elementwise unary functions. {@code param} is the exponent for POW and alpha for ELU; otherwise unused. */
public enum UnaryOp {
  NEG, EXP, LOG, SQRT, RELU, GELU, ELU, TANH, SIGMOID, POW, ABS, SQUARE
}
