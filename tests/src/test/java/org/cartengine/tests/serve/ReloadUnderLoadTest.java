package org.cartengine.tests.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.cartengine.cart.serve.SearchServer;
import org.cartengine.cart.serve.Searcher;
import org.junit.jupiter.api.Test;

/** POST /api/reload swaps in the run directory as it is on disk while clients search, failing and dropping nothing. */
class ReloadUnderLoadTest {
  static final Searcher.Options OPTS = Searcher.Options.defaults().withBeam(5);
  static final SearchServer.Options LOOPBACK = SearchServer.Options.defaults().withAddress("127.0.0.1", 0);

  @Test
  void reloadsUnderLoadAnswerEveryRequest() throws Exception {
    Searcher first = Searcher.of(TinyRun.loaded(), OPTS);
    SearchServer server = new SearchServer(first, LOOPBACK, () -> Searcher.open(TinyRun.run(), OPTS)).start();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicBoolean reloading = new AtomicBoolean();
    AtomicLong answered = new AtomicLong(), answeredDuringReload = new AtomicLong();
    Map<Integer, Long> byStatus = new ConcurrentHashMap<>();
    List<Throwable> clientErrors = new CopyOnWriteArrayList<>();
    List<Thread> clients = new java.util.ArrayList<>();
    try {
      for (int c = 0; c < 4; c++) {
        int id = c;
        Thread t = new Thread(() -> {
          int i = 0;
          while (!stop.get()) {
            try {
              HttpResponse<String> r = id % 2 == 0
                  ? TinyRun.get(server, "/api/search?q=red%20cat%20" + (i++ % 7) + "&k=3")
                  : TinyRun.post(server, "/api/search", "{\"queries\": [\"blue dog\", \"green car " + (i++ % 5) + "\"], \"k\": 2}");
              byStatus.merge(r.statusCode(), 1L, Long::sum);
              if (r.statusCode() == 200) {
                answered.incrementAndGet();
                if (reloading.get()) answeredDuringReload.incrementAndGet();
                JsonObject o = JsonParser.parseString(r.body()).getAsJsonObject();
                if (!o.has("results")) throw new AssertionError("no results in " + r.body());
              }
            } catch (Throwable e) {
              clientErrors.add(e);
            }
          }
        }, "reload-client-" + c);
        t.start();
        clients.add(t);
      }
      Thread.sleep(300);
      for (int n = 1; n <= 3; n++) {
        reloading.set(true);
        HttpResponse<String> r = TinyRun.post(server, "/api/reload", "");
        reloading.set(false);
        assertEquals(200, r.statusCode(), r.body());
        JsonObject o = JsonParser.parseString(r.body()).getAsJsonObject();
        assertEquals("reloaded", o.get("status").getAsString());
        assertEquals(n, o.get("reloads").getAsLong());
        assertEquals(TinyRun.loaded().dataset().size(), o.get("items").getAsInt());
        Thread.sleep(200);
      }
    } finally {
      stop.set(true);
      for (Thread t : clients) t.join(30_000);
    }
    try {
      assertTrue(clientErrors.isEmpty(), "client errors: " + clientErrors);
      assertEquals(Map.of(200, answered.get()), byStatus, "every request answered 200");
      assertTrue(answered.get() > 20, "the clients searched: " + answered.get());
      assertTrue(answeredDuringReload.get() > 0, "searches were answered while a reload ran");
      assertNotSame(first, server.searcher(), "the reload swapped the searcher");
      // the first searcher was closed once its queued queries were answered
      assertThrows(Searcher.Closed.class, () -> first.searchAsync("red cat", 1));
      JsonObject stats = JsonParser.parseString(TinyRun.get(server, "/api/stats").body()).getAsJsonObject();
      assertEquals(3, stats.getAsJsonObject("queries").get("reloads").getAsLong());
      assertEquals(0, stats.getAsJsonObject("http").get("5xx").getAsLong());
    } finally {
      server.stop();
    }
  }

  @Test
  void aRunThatCannotBeLoadedLeavesTheOldOneServing() throws Exception {
    SearchServer server = new SearchServer(Searcher.of(TinyRun.loaded(), OPTS), LOOPBACK, () -> {
      throw new java.io.IOException("/no/such/run/index.json: missing");
    }).start();
    try {
      HttpResponse<String> r = TinyRun.post(server, "/api/reload", "");
      assertEquals(422, r.statusCode(), r.body());
      String msg = JsonParser.parseString(r.body()).getAsJsonObject().get("error").getAsString();
      assertTrue(msg.contains("previous one is still serving") && msg.contains("/no/such/run/index.json"), msg);
      assertEquals(200, TinyRun.get(server, "/api/search?q=red%20cat&k=3").statusCode());
    } finally {
      server.stop();
    }
  }

  @Test
  void aServerWithoutARunDirectoryRefusesReloadAndOnlyPostReloads() throws Exception {
    SearchServer server = new SearchServer(Searcher.of(TinyRun.loaded(), OPTS), LOOPBACK).start();
    try {
      HttpResponse<String> r = TinyRun.post(server, "/api/reload", "");
      assertEquals(409, r.statusCode(), r.body());
      assertTrue(r.body().contains("without a run directory"), r.body());
      assertEquals(405, TinyRun.get(server, "/api/reload").statusCode());
    } finally {
      server.stop();
    }
  }
}
