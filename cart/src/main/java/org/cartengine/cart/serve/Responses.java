package org.cartengine.cart.serve;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Writes JSON answers and JSON errors ({"error": message, "status": code}); every API response goes through here. */
final class Responses {
  static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().serializeSpecialFloatingPointValues().create();

  private Responses() {}

  static void json(Response res, Callback cb, int status, JsonElement body) {
    byte[] bytes = GSON.toJson(finite(body)).getBytes(StandardCharsets.UTF_8);
    res.setStatus(status);
    res.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
    res.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    res.getHeaders().put("X-Content-Type-Options", "nosniff");
    res.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    res.write(true, ByteBuffer.wrap(bytes), cb);
  }

  /**
   * {@code e} with every NaN or infinite number replaced by null, in place: JSON has no such numbers, and a browser's
   * JSON.parse rejects the whole answer over one (an atomic-id run's RQ-VAE reconstruction error is NaN).
   */
  static JsonElement finite(JsonElement e) {
    if (e == null || e.isJsonNull()) return e;
    if (e.isJsonPrimitive()) {
      com.google.gson.JsonPrimitive p = e.getAsJsonPrimitive();
      if (p.isNumber() && (p.getAsNumber() instanceof Double || p.getAsNumber() instanceof Float) && !Double.isFinite(p.getAsDouble()))
        return com.google.gson.JsonNull.INSTANCE;
      return e;
    }
    if (e.isJsonArray()) {
      com.google.gson.JsonArray a = e.getAsJsonArray();
      for (int i = 0; i < a.size(); i++) a.set(i, finite(a.get(i)));
      return a;
    }
    for (java.util.Map.Entry<String, JsonElement> m : e.getAsJsonObject().entrySet()) m.setValue(finite(m.getValue()));
    return e;
  }

  static JsonObject error(int status, String message) {
    JsonObject o = new JsonObject();
    o.addProperty("error", message == null || message.isEmpty() ? reason(status) : message);
    o.addProperty("status", status);
    return o;
  }

  static void error(Response res, Callback cb, int status, String message) {
    json(res, cb, status, error(status, message));
  }

  static String reason(int status) {
    return switch (status) {
      case 400 -> "bad request";
      case 404 -> "not found";
      case 405 -> "method not allowed";
      case 408 -> "request timeout";
      case 413 -> "request body too large";
      case 414 -> "URI too long";
      case 429 -> "too many queries waiting";
      case 431 -> "request headers too large";
      case 503 -> "service unavailable";
      default -> status >= 500 ? "internal error" : "request refused";
    };
  }
}
