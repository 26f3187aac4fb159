package org.cartengine.cart.serve;

import java.io.IOException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors that Jetty answers itself (a malformed request line, headers or URI too large, an ambiguous URI,
 * an exception escaping a handler) in the API's JSON error form, without stack traces.
 */
final class JsonErrorHandler extends ErrorHandler {
  private final ServerStats stats;

  JsonErrorHandler(ServerStats stats) {
    this.stats = stats;
    setShowStacks(false);
    setShowCauses(false);
  }

  @Override
  protected void generateResponse(Request req, Response res, int code, String message, Throwable cause, Callback cb) throws IOException {
    stats.count(code);
    // An exception escaping the handler is a bug: its message is not for the client.
    String m = code >= 500 ? null : message;
    Responses.error(res, cb, code, m);
  }
}
