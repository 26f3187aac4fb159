package org.cartengine.engine.backend;

/**
 * Elementwise unary functions. {@code param} is the exponent for POW and alpha for ELU; otherwise unused. GELU is
 * the tanh approximation (our own models train with it); GELU_ERF is the exact x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2))
 * that pretrained BERT checkpoints were trained with.
 */
public enum UnaryOp {
  NEG, EXP, LOG, SQRT, RELU, GELU, ELU, TANH, SIGMOID, POW, ABS, SQUARE, GELU_ERF
}
