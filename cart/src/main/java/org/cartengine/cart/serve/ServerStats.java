package org.cartengine.cart.serve;

import com.google.gson.JsonObject;
import java.util.concurrent.atomic.AtomicLong;

/** HTTP responses by status class, for /api/stats. */
final class ServerStats {
  private final AtomicLong[] byClass = new AtomicLong[6];

  ServerStats() {
    for (int i = 0; i < byClass.length; i++) byClass[i] = new AtomicLong();
  }

  void count(int status) {
    int c = status / 100;
    if (c >= 1 && c <= 5) byClass[c].incrementAndGet();
  }

  long count5xx() {
    return byClass[5].get();
  }

  JsonObject json() {
    JsonObject o = new JsonObject();
    long total = 0;
    for (int c = 1; c <= 5; c++) total += byClass[c].get();
    o.addProperty("responses", total);
    for (int c = 2; c <= 5; c++) o.addProperty(c + "xx", byClass[c].get());
    return o;
  }
}
