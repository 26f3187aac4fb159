package org.cartengine.cart.serve;

/** A request the server refuses: the HTTP status (4xx, or 503 while shutting down) and a message for the client. */
final class ApiError extends RuntimeException {
  final int status;

  ApiError(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }
}
