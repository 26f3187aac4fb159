package org.cartengine.cart.serve;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The web page: a fixed set of files packaged in the jar, read once. Requests name one of these files or
 * nothing is served, so no path from a request ever reaches the file system or the class path.
 */
final class StaticPage {
  private static final String ROOT = "/org/cartengine/cart/serve/web/";
  private static final Map<String, String> FILES = Map.of(
      "/", "index.html", "/index.html", "index.html", "/app.js", "app.js", "/style.css", "style.css");
  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8");
  private final Map<String, byte[]> bytes;

  StaticPage() {
    bytes = Map.of("index.html", read("index.html"), "app.js", read("app.js"), "style.css", read("style.css"));
  }

  private static byte[] read(String name) {
    try (InputStream in = StaticPage.class.getResourceAsStream(ROOT + name)) {
      if (in == null) throw new IllegalStateException("the web page file " + ROOT + name + " is missing from the jar");
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  boolean has(String path) {
    return FILES.containsKey(path);
  }

  void serve(String path, Response res, Callback cb, ServerStats stats) {
    String name = FILES.get(path);
    byte[] b = bytes.get(name);
    stats.count(200);
    res.setStatus(200);
    res.getHeaders().put(HttpHeader.CONTENT_TYPE, TYPES.get(name.substring(name.lastIndexOf('.') + 1)));
    res.getHeaders().put(HttpHeader.CONTENT_LENGTH, b.length);
    res.getHeaders().put("X-Content-Type-Options", "nosniff");
    res.getHeaders().put("Content-Security-Policy",
        "default-src 'self'; img-src 'self' data: https: http:; script-src 'self'; style-src 'self'; connect-src 'self'; frame-ancestors 'none'");
    res.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
    res.write(true, ByteBuffer.wrap(b), cb);
  }
}
