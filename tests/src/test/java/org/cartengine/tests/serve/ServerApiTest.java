package org.cartengine.tests.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.cartengine.cart.search.BeamSearch;
import org.cartengine.cart.search.QueryBatch;
import org.cartengine.cart.serve.SearchServer;
import org.cartengine.cart.serve.Searcher;
import org.cartengine.cart.run.TrainedRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.cartengine.tests.TinyDataset;

/** The JSON API against a real server on an ephemeral loopback port, and the Searcher as a library. */
class ServerApiTest {
  static SearchServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TinyRun.server();
  }

  @AfterAll
  static void stop() {
    if (server != null) server.stop();
  }

  static JsonObject json(HttpResponse<String> r) {
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), "content type of " + r.body());
    return JsonParser.parseString(r.body()).getAsJsonObject();
  }

  /** The items BeamSearch itself ranks first for a query: what the server must answer. */
  static List<BeamSearch.Hit> direct(String q, int beam, int k) throws Exception {
    TrainedRun run = TinyRun.loaded();
    {
      QueryBatch b = QueryBatch.of(run.model().backend(), List.of(run.tokenizer().encode(q)), run.model().cfg.maxQueryLength());
      return BeamSearch.search(run.model(), b, run.identifiers().trie(), beam, k).get(0);
    }
  }

  @Test
  void getSearchAnswersWhatTheBeamSearchFinds() throws Exception {
    JsonObject o = json(TinyRun.get(server, "/api/search?q=red%20cat&k=3"));
    assertEquals("red cat", o.get("query").getAsString());
    // the tiny run's server has no re-rank: the score is the identifier's log-probability, and the answer says so
    assertEquals("log p", o.get("score").getAsString());
    JsonArray rs = o.getAsJsonArray("results");
    List<BeamSearch.Hit> want = direct("red cat", 5, 3);
    assertEquals(want.size(), rs.size());
    for (int i = 0; i < rs.size(); i++) {
      JsonObject r = rs.get(i).getAsJsonObject();
      int item = r.get("item").getAsInt();
      assertEquals(i + 1, r.get("rank").getAsInt());
      assertEquals(want.get(i).item(), item);
      assertEquals(want.get(i).score(), r.get("score").getAsDouble(), 1e-9);
      assertEquals("item" + item, r.get("id").getAsString());
      assertEquals(TinyDataset.label(item), r.get("label").getAsString());
      JsonObject ident = r.getAsJsonObject("identifier");
      int[] tokens = TinyRun.loaded().identifiers().tokens(item);
      assertEquals(tokens.length, ident.size());
      int j = 0;
      for (var e : ident.entrySet()) assertEquals(tokens[j++], e.getValue().getAsInt(), "token " + e.getKey());
      assertTrue(ident.has("k") && ident.has("v1") && ident.has("u"), ident.toString());
    }
  }

  @Test
  void postSearchAnswersABatchInOrder() throws Exception {
    JsonObject o = json(TinyRun.post(server, "/api/search", "{\"queries\": [\"blue tree\", \"white boat\", \"green car\"], \"k\": 2}"));
    JsonArray rs = o.getAsJsonArray("results");
    assertEquals(3, rs.size());
    String[] qs = {"blue tree", "white boat", "green car"};
    for (int i = 0; i < 3; i++) {
      JsonObject one = rs.get(i).getAsJsonObject();
      assertEquals(qs[i], one.get("query").getAsString());
      List<BeamSearch.Hit> want = direct(qs[i], 5, 2);
      JsonArray hits = one.getAsJsonArray("results");
      assertEquals(want.size(), hits.size());
      for (int j = 0; j < hits.size(); j++) assertEquals(want.get(j).item(), hits.get(j).getAsJsonObject().get("item").getAsInt());
    }
  }

  @Test
  void itemsHealthStatsAndPage() throws Exception {
    JsonObject it = json(TinyRun.get(server, "/api/items/item7"));
    assertEquals(7, it.get("item").getAsInt());
    assertEquals("green tree", it.get("label").getAsString()); // item 7: colour 7 / 5, thing 7 % 5
    JsonObject pic = json(TinyRun.get(server, "/api/items/item0"));
    assertEquals("/media/media/item0.png", pic.get("picture").getAsString());
    assertEquals("https://example.org/picture.png", json(TinyRun.get(server, "/api/items/item3")).get("picture").getAsString());
    assertTrue(json(TinyRun.get(server, "/api/items/item9")).get("picture").isJsonNull());
    assertEquals(404, TinyRun.get(server, "/api/items/nope").statusCode());
    assertEquals("ok", json(TinyRun.get(server, "/api/health")).get("status").getAsString());

    long before = json(TinyRun.get(server, "/api/stats")).getAsJsonObject("queries").get("served").getAsLong();
    for (int i = 0; i < 3; i++) assertEquals(200, TinyRun.get(server, "/api/search?q=yellow%20house").statusCode());
    JsonObject s = json(TinyRun.get(server, "/api/stats"));
    JsonObject q = s.getAsJsonObject("queries");
    assertEquals(before + 3, q.get("served").getAsLong());
    assertTrue(q.getAsJsonObject("latency_ms").get("p99").getAsDouble() > 0, q.toString());
    assertTrue(q.get("queries_per_second").getAsDouble() > 0, q.toString());
    assertEquals(16, s.getAsJsonObject("model").get("dModel").getAsInt());
    // the page's header names the scheme: the tiny run's identifiers are the paper's (--scheme cart)
    String method = s.getAsJsonObject("model").get("method").getAsString();
    assertTrue(method.startsWith("CART (semantic ids"), method);
    assertEquals("log p", s.getAsJsonObject("model").get("score").getAsString());
    assertEquals(TinyDataset.N, s.getAsJsonObject("identifiers").get("items").getAsInt());
    assertEquals("u", lastName(s.getAsJsonObject("identifiers").getAsJsonArray("names")));

    HttpResponse<String> page = TinyRun.get(server, "/");
    assertEquals(200, page.statusCode());
    assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html") && page.body().contains("id=\"q\""), page.body());
    assertEquals(200, TinyRun.get(server, "/app.js").statusCode());
  }

  static String lastName(JsonArray a) {
    return a.get(a.size() - 1).getAsString();
  }

  @Test
  void badRequestsGetJsonErrors() throws Exception {
    String[][] cases = {
        {"/api/search", "400"}, {"/api/search?q=", "400"}, {"/api/search?q=%20%20", "400"}, {"/api/search?q=cat&k=0", "400"},
        {"/api/search?q=cat&k=6", "400"}, {"/api/search?q=cat&k=-1", "400"}, {"/api/search?q=cat&k=abc", "400"},
        {"/api/search?q=cat&k=1.5", "400"}, {"/api/search?q=cat&k=99999999999999999999999", "400"}, {"/api/search?q=a&q=b", "400"},
        {"/api/search?q=" + "x".repeat(1001), "400"}, {"/api/nothing", "404"}, {"/nothing.html", "404"}, {"/api/items/", "404"}};
    for (String[] c : cases) {
      HttpResponse<String> r = TinyRun.get(server, c[0]);
      assertEquals(Integer.parseInt(c[1]), r.statusCode(), c[0] + " -> " + r.body());
      JsonObject e = json(r);
      assertEquals(r.statusCode(), e.get("status").getAsInt());
      assertFalse(e.get("error").getAsString().isBlank());
    }
    HttpResponse<String> put = TinyRun.HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + server.port() + "/api/health"))
        .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, put.statusCode(), put.body());
  }

  @Test
  void searcherAsALibrary() throws Exception {
    // A re-ranker sees the whole beam and may reorder it; ranks are renumbered and only k are kept.
    List<Integer> seen = new ArrayList<>();
    Searcher.ResultReranker reverse = (query, cands) -> {
      seen.add(cands.size());
      List<Searcher.Result> r = new ArrayList<>(cands);
      java.util.Collections.reverse(r);
      return r;
    };
    try (Searcher s = Searcher.of(TinyRun.loaded(), Searcher.Options.defaults().withBeam(5).withReranker(reverse))) {
      List<Searcher.Result> r = s.search("red cat", 2);
      List<BeamSearch.Hit> beam = direct("red cat", 5, 5);
      assertEquals(List.of(5), seen);
      assertEquals(2, r.size());
      assertEquals(beam.get(4).item(), r.get(0).item().index());
      assertEquals(1, r.get(0).rank());
      assertEquals(2, r.get(1).rank());
    }
    try (Searcher s = Searcher.of(TinyRun.loaded(), Searcher.Options.defaults().withBeam(5).withBatch(8, 20_000))) {
      // Concurrent queries are answered correctly whichever batch they land in.
      String[] qs = {"red cat", "blue tree", "white boat", "green car", "black house", "yellow boat"};
      // The model is used by one thread at a time: the expected answers are computed before the searcher runs.
      List<List<BeamSearch.Hit>> wants = new ArrayList<>();
      for (String q : qs) wants.add(direct(q, 5, 3));
      List<CompletableFuture<List<Searcher.Result>>> fs = new ArrayList<>();
      for (int rep = 0; rep < 4; rep++) for (String q : qs) fs.add(s.searchAsync(q, 3));
      for (int i = 0; i < fs.size(); i++) {
        List<BeamSearch.Hit> want = wants.get(i % qs.length);
        List<Searcher.Result> got = fs.get(i).get();
        for (int j = 0; j < want.size(); j++) assertEquals(want.get(j).item(), got.get(j).item().index(), qs[i % qs.length]);
      }
      Searcher.Stats st = s.stats();
      assertEquals(24, st.queries());
      assertTrue(st.batches() < 24, "24 concurrent queries should share batches: " + st);
      List<List<Searcher.Result>> batch = s.searchBatch(List.of("red cat", "green tree"), 4);
      assertEquals(2, batch.size());
      assertEquals(4, batch.get(0).size());
      assertThrows(Searcher.BadQuery.class, () -> s.search("", 3));
      assertThrows(Searcher.BadQuery.class, () -> s.search("cat", 6));
      assertNotNull(s.item("item3").orElse(null));
    }
    try (Searcher s = Searcher.of(TinyRun.loaded(), Searcher.Options.defaults().withBeam(5).withBatch(8, 2_000_000))) {
      // A query that arrives long after the previous one is not held back for company (the wait is 2 s here).
      for (int rep = 0; rep < 2; rep++) {
        if (rep > 0) Thread.sleep(2_200);
        long t0 = System.nanoTime();
        s.search("red cat", 3);
        double ms = (System.nanoTime() - t0) / 1e6;
        assertTrue(ms < 1_500, "a lone query waited " + ms + " ms for a batch");
      }
    }
    Searcher closed = Searcher.of(TinyRun.loaded(), Searcher.Options.defaults().withBeam(5));
    closed.close();
    assertThrows(Searcher.Closed.class, () -> closed.search("cat", 1));
  }

  @Test
  void anUnexpectedFailureIsA500WithAGenericJsonErrorAndTheServerGoesOn() throws Exception {
    Searcher.ResultReranker broken = (q, c) -> {
      if (q.contains("boom")) throw new IllegalStateException("secret internal detail");
      return c;
    };
    try (SearchServer s = TinyRun.server(Searcher.Options.defaults().withBeam(5).withReranker(broken),
        SearchServer.Options.defaults().withAddress("127.0.0.1", 0))) {
      HttpResponse<String> r = TinyRun.get(s, "/api/search?q=boom");
      assertEquals(500, r.statusCode(), r.body());
      JsonObject e = json(r);
      assertEquals("internal error", e.get("error").getAsString());
      assertFalse(r.body().contains("secret") || r.body().contains("Exception"), r.body());
      assertEquals(200, TinyRun.get(s, "/api/search?q=red%20cat").statusCode());
      JsonElement http = json(TinyRun.get(s, "/api/stats")).getAsJsonObject("http").get("5xx");
      assertEquals(1, http.getAsLong());
    }
  }
}
