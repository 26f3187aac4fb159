package org.cartengine.cart.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.cartengine.cart.model.CartConfig;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * The HTTP API and the web page: routes requests, checks every input, and answers 4xx with a JSON error for
 * bad input. Searches complete asynchronously when the searcher's batch is done, so a waiting query holds no
 * server thread. Anything unexpected is caught here and answered 500 with a generic JSON error (and logged),
 * never with a stack trace.
 */
final class ApiHandler extends Handler.Abstract {
  private final ServedRun served;
  private final SearchServer.Options limits;
  private final StaticPage page;
  private final ServerStats stats;
  private final Executor executor;
  private final PictureDir pictures;

  ApiHandler(ServedRun served, SearchServer.Options limits, ServerStats stats, Executor executor, PictureDir pictures) {
    this.served = served;
    this.pictures = pictures;
    this.limits = limits;
    this.page = new StaticPage();
    this.stats = stats;
    this.executor = executor;
  }

  @Override
  public boolean handle(Request req, Response res, Callback cb) {
    try {
      route(req, res, cb);
    } catch (ApiError e) {
      send(res, cb, e.status, Responses.error(e.status, e.getMessage()));
    } catch (Throwable t) {
      internal(res, cb, t);
    }
    return true;
  }

  private void route(Request req, Response res, Callback cb) {
    String path = Request.getPathInContext(req);
    String method = req.getMethod();
    boolean get = HttpMethod.GET.is(method) || HttpMethod.HEAD.is(method);
    if (path.equals("/api/search")) {
      if (get) searchGet(req, res, cb);
      else if (HttpMethod.POST.is(method)) searchPost(req, res, cb);
      else throw new ApiError(405, "use GET or POST on /api/search");
      return;
    }
    if (path.equals("/api/reload")) {
      if (!HttpMethod.POST.is(method)) throw new ApiError(405, "use POST on /api/reload");
      reload(req, res, cb);
      return;
    }
    if (!get) throw new ApiError(405, "use GET on " + path);
    if (path.equals("/api/health")) send(res, cb, 200, health());
    else if (path.equals("/api/stats")) send(res, cb, 200, statsJson());
    else if (path.startsWith("/api/items/")) send(res, cb, 200, item(path.substring("/api/items/".length())));
    else if (path.startsWith("/media/")) mediaFile(path.substring("/media/".length()), res, cb);
    else if (path.startsWith("/pictures/")) picture(path.substring("/pictures/".length()), res, cb);
    else if (page.has(path)) page.serve(path, res, cb, stats);
    else throw new ApiError(404, "no such resource: " + shorten(path));
  }

  private Searcher searcher() {
    return served.current().searcher();
  }

  private MediaFiles media() {
    return served.current().media();
  }

  // ---- reload ----------------------------------------------------------------------------------------------------

  /** POST /api/reload: from this machine only (the loopback address), whatever address the server is bound to. */
  private void reload(Request req, Response res, Callback cb) {
    java.net.SocketAddress from = req.getConnectionMetaData().getRemoteSocketAddress();
    if (!(from instanceof java.net.InetSocketAddress a) || a.getAddress() == null || !a.getAddress().isLoopbackAddress())
      throw new ApiError(403, "reload is allowed only from this machine (loopback)");
    // Loading a run takes seconds: off the request's thread, so the server's threads keep answering searches.
    executor.execute(() -> {
      try {
        ServedRun.Reloaded r = served.reload();
        JsonObject o = new JsonObject();
        o.addProperty("status", "reloaded");
        o.addProperty("run", r.live().searcher().runDir().toString());
        o.addProperty("items", r.live().searcher().dataset().size());
        o.addProperty("method", r.live().searcher().method());
        o.addProperty("reloads", served.reloads());
        o.addProperty("seconds", r.seconds());
        send(res, cb, 200, o);
      } catch (ServedRun.ReloadRefused e) {
        if (e.getCause() != null) System.err.println("cart serve: reload refused: " + e.getMessage());
        send(res, cb, e.status, Responses.error(e.status, e.getMessage()));
      } catch (Throwable t) {
        internal(res, cb, t);
      }
    });
  }

  // ---- search ----------------------------------------------------------------------------------------------------

  private void searchGet(Request req, Response res, Callback cb) {
    Fields params;
    try {
      params = Request.extractQueryParameters(req, StandardCharsets.UTF_8);
    } catch (RuntimeException e) {
      throw new ApiError(400, "the query string is malformed (" + e.getMessage() + ")");
    }
    String q = single(params, "q");
    if (q == null) throw new ApiError(400, "missing parameter q (the query text)");
    String ks = single(params, "k");
    int k = ks == null ? Math.min(10, searcher().options().beam()) : parseK(ks);
    long t0 = System.nanoTime();
    Submitted f = submit(q, k);
    whenDone(f.future(), res, cb, results -> {
      JsonObject o = new JsonObject();
      o.addProperty("query", q);
      o.addProperty("k", k);
      o.addProperty("score", f.live().searcher().scoreName());
      o.add("results", resultsJson(f.live(), results));
      o.addProperty("ms", (System.nanoTime() - t0) / 1e6);
      return o;
    });
  }

  private void searchPost(Request req, Response res, Callback cb) {
    long declared = req.getLength();
    if (declared > limits.maxBodyBytes()) throw new ApiError(413, "the body has " + declared + " bytes; at most " + limits.maxBodyBytes());
    long t0 = System.nanoTime();
    Content.Source.asByteArrayAsync(req, limits.maxBodyBytes()).whenComplete((bytes, err) -> {
      if (err != null) {
        if (causedBy(err, TimeoutException.class)) send(res, cb, 408, Responses.error(408, "the body did not arrive in time"));
        else send(res, cb, 413, Responses.error(413, "the body is larger than " + limits.maxBodyBytes() + " bytes or could not be read"));
        return;
      }
      try {
        Batch b = parseBatch(bytes);
        List<Submitted> fs = new ArrayList<>();
        for (String q : b.queries()) fs.add(submit(q, b.k()));
        CompletableFuture<List<List<Searcher.Result>>> all = CompletableFuture.allOf(fs.stream().map(Submitted::future).toArray(CompletableFuture[]::new))
            .thenApply(v -> fs.stream().map(x -> x.future().join()).toList());
        whenDone(all, res, cb, lists -> {
          JsonObject o = new JsonObject();
          o.addProperty("k", b.k());
          o.addProperty("score", fs.get(0).live().searcher().scoreName());
          JsonArray arr = new JsonArray();
          for (int i = 0; i < lists.size(); i++) {
            JsonObject one = new JsonObject();
            one.addProperty("query", b.queries().get(i));
            one.add("results", resultsJson(fs.get(i).live(), lists.get(i)));
            arr.add(one);
          }
          o.add("results", arr);
          o.addProperty("ms", (System.nanoTime() - t0) / 1e6);
          return o;
        });
      } catch (ApiError e) {
        send(res, cb, e.status, Responses.error(e.status, e.getMessage()));
      } catch (Throwable t) {
        internal(res, cb, t);
      }
    });
  }

  private record Batch(List<String> queries, int k) {}

  private Batch parseBatch(byte[] bytes) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new ApiError(400, "the body is not valid UTF-8");
    }
    JsonElement root;
    try {
      JsonReader r = new JsonReader(new StringReader(text));
      r.setStrictness(Strictness.STRICT);
      root = JsonParser.parseReader(r);
      if (r.peek() != com.google.gson.stream.JsonToken.END_DOCUMENT) throw new JsonParseException("trailing data after the JSON value");
    } catch (JsonParseException | java.io.IOException | IllegalStateException e) {
      throw new ApiError(400, "the body is not valid JSON: " + shorten(String.valueOf(e.getMessage())));
    } catch (StackOverflowError e) {
      throw new ApiError(400, "the body is not valid JSON: nested too deeply");
    }
    if (!root.isJsonObject()) throw new ApiError(400, "the body must be a JSON object {\"queries\": [...], \"k\": 10}");
    JsonObject o = root.getAsJsonObject();
    JsonElement qs = o.get("queries");
    if (qs == null || !qs.isJsonArray()) throw new ApiError(400, "\"queries\" must be an array of strings");
    JsonArray a = qs.getAsJsonArray();
    if (a.isEmpty()) throw new ApiError(400, "\"queries\" is empty");
    if (a.size() > limits.maxBatchQueries()) throw new ApiError(400, a.size() + " queries in one request; at most " + limits.maxBatchQueries());
    List<String> queries = new ArrayList<>();
    for (JsonElement e : a) {
      if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) throw new ApiError(400, "\"queries\" must hold only strings");
      queries.add(e.getAsString());
    }
    JsonElement ke = o.get("k");
    int k;
    if (ke == null || ke.isJsonNull()) k = Math.min(10, searcher().options().beam());
    else if (ke.isJsonPrimitive() && ke.getAsJsonPrimitive().isNumber()) k = parseK(ke.getAsJsonPrimitive());
    else throw new ApiError(400, "\"k\" must be an integer");
    // Check every query before queueing any, so a bad one refuses the whole request.
    for (String q : queries) checkQuery(q, k);
    return new Batch(queries, k);
  }

  private int parseK(JsonPrimitive p) {
    BigDecimal d;
    try {
      d = p.getAsBigDecimal();
    } catch (NumberFormatException e) {
      throw new ApiError(400, "\"k\" must be an integer");
    }
    if (d.signum() == 0 || d.stripTrailingZeros().scale() > 0) throw outOfRange(d.toPlainString());
    if (d.compareTo(BigDecimal.valueOf(searcher().options().beam())) > 0 || d.signum() < 0) throw outOfRange(d.toPlainString());
    return d.intValueExact();
  }

  private int parseK(String s) {
    if (s.length() > 12 || !s.matches("-?[0-9]+")) throw new ApiError(400, "k must be an integer in [1, " + searcher().options().beam() + "], not \"" + shorten(s) + "\"");
    long k = Long.parseLong(s);
    if (k < 1 || k > searcher().options().beam()) throw outOfRange(s);
    return (int) k;
  }

  private ApiError outOfRange(String k) {
    return new ApiError(400, "k = " + shorten(k) + " is outside [1, " + searcher().options().beam() + "] (k may not exceed the beam width)");
  }

  private void checkQuery(String q, int k) {
    if (q.isBlank()) throw new ApiError(400, "the query is empty");
    if (q.length() > searcher().options().maxQueryChars())
      throw new ApiError(400, "the query has " + q.length() + " characters; at most " + searcher().options().maxQueryChars());
  }

  /** A query queued on a searcher; its results are written with that searcher's identifier names and media rules. */
  private record Submitted(ServedRun.Live live, CompletableFuture<List<Searcher.Result>> future) {}

  private Submitted submit(String q, int k) {
    checkQuery(q, k);
    for (int attempt = 0; ; attempt++) {
      ServedRun.Live live = served.current();
      try {
        return new Submitted(live, live.searcher().searchAsync(q, k));
      } catch (Searcher.BadQuery e) {
        throw new ApiError(400, e.getMessage());
      } catch (Searcher.Overloaded e) {
        throw new ApiError(429, e.getMessage());
      } catch (Searcher.Closed e) {
        // A reload closed this searcher after the request read it: the new one takes the query.
        if (served.current() != live && attempt < 8) continue;
        throw new ApiError(503, "the server is shutting down");
      }
    }
  }

  /** Answers when f completes (on a server thread, not the batching thread), within the request time limit. */
  private <T> void whenDone(CompletableFuture<T> f, Response res, Callback cb, java.util.function.Function<T, JsonObject> body) {
    f.orTimeout(limits.searchTimeoutMillis(), TimeUnit.MILLISECONDS).whenCompleteAsync((v, err) -> {
      try {
        if (err == null) {
          send(res, cb, 200, body.apply(v));
          return;
        }
        Throwable c = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (c instanceof TimeoutException) send(res, cb, 503, Responses.error(503, "the search did not finish within " + limits.searchTimeoutMillis() + " ms"));
        else if (c instanceof Searcher.Closed) send(res, cb, 503, Responses.error(503, "the server is shutting down"));
        else if (c instanceof Searcher.Overloaded) send(res, cb, 429, Responses.error(429, c.getMessage()));
        else internal(res, cb, c);
      } catch (Throwable t) {
        internal(res, cb, t);
      }
    }, executor);
  }

  private JsonArray resultsJson(ServedRun.Live live, List<Searcher.Result> results) {
    JsonArray arr = new JsonArray();
    for (Searcher.Result r : results) {
      JsonObject o = itemJson(live, r.item());
      o.addProperty("rank", r.rank());
      o.addProperty("score", r.score());
      arr.add(o);
    }
    return arr;
  }

  // ---- items, health, stats, media -------------------------------------------------------------------------------

  private JsonObject itemJson(ServedRun.Live live, Searcher.Item it) {
    JsonObject o = new JsonObject();
    o.addProperty("item", it.index());
    o.addProperty("id", it.id());
    o.addProperty("label", it.label());
    JsonObject ident = new JsonObject();
    String[] names = live.searcher().identifierNames();
    int[] t = it.identifier();
    for (int j = 0; j < t.length; j++) ident.addProperty(j < names.length ? names[j] : "t" + j, t[j]);
    o.add("identifier", ident);
    o.addProperty("media", it.media());
    Optional<String> pic = live.media().pictureUrl(it.media());
    if (pic.isEmpty() && it.media().isEmpty()) pic = pictures.pictureUrl(it.id());
    if (pic.isPresent()) o.addProperty("picture", pic.get());
    else o.add("picture", com.google.gson.JsonNull.INSTANCE);
    return o;
  }

  private JsonObject item(String id) {
    if (id.isEmpty()) throw new ApiError(404, "no item id given");
    ServedRun.Live live = served.current();
    return live.searcher().item(id).map(it -> itemJson(live, it)).orElseThrow(() -> new ApiError(404, "no item with id \"" + shorten(id) + "\""));
  }

  private JsonObject health() {
    JsonObject o = new JsonObject();
    o.addProperty("status", "ok");
    o.addProperty("items", searcher().dataset().size());
    return o;
  }

  private JsonObject statsJson() {
    Searcher searcher = served.current().searcher();
    JsonObject o = new JsonObject();
    CartConfig c = searcher.modelConfig();
    JsonObject model = Responses.GSON.toJsonTree(c).getAsJsonObject();
    model.addProperty("run", searcher.runDir().toString());
    model.addProperty("backend", searcher.backendName());
    model.addProperty("beam", searcher.options().beam());
    model.addProperty("method", searcher.method());
    model.addProperty("score", searcher.scoreName());
    o.add("model", model);
    JsonObject data = new JsonObject();
    data.addProperty("name", searcher.dataset().info().name());
    data.addProperty("modality", searcher.dataset().info().modality());
    data.addProperty("items", searcher.dataset().size());
    o.add("dataset", data);
    JsonObject ids = Responses.GSON.toJsonTree(searcher.indexStats()).getAsJsonObject();
    ids.add("names", Responses.GSON.toJsonTree(searcher.identifierNames()));
    o.add("identifiers", ids);
    Searcher.Stats s = searcher.stats();
    JsonObject q = new JsonObject();
    q.addProperty("served", s.queries());
    q.addProperty("batches", s.batches());
    q.addProperty("mean_batch", s.meanBatch());
    q.addProperty("failed", s.failed());
    q.addProperty("rejected", s.rejected());
    q.addProperty("pending", s.pending());
    q.addProperty("queries_per_second", s.queriesPerSecond());
    JsonObject lat = new JsonObject();
    lat.addProperty("p50", s.p50Ms());
    lat.addProperty("p90", s.p90Ms());
    lat.addProperty("p99", s.p99Ms());
    lat.addProperty("max", s.maxMs());
    q.add("latency_ms", lat);
    q.addProperty("uptime_seconds", s.uptimeSeconds());
    q.addProperty("reloads", served.reloads());
    o.add("queries", q);
    o.add("http", stats.json());
    o.add("limits", Responses.GSON.toJsonTree(limits));
    return o;
  }

  private void mediaFile(String rel, Response res, Callback cb) {
    sendFile(media().resolve(rel).orElseThrow(() -> new ApiError(404, "no such media file")), res, cb);
  }

  private void picture(String name, Response res, Callback cb) {
    sendFile(pictures.resolve(name).orElseThrow(() -> new ApiError(404, "no such picture")), res, cb);
  }

  private void sendFile(Path p, Response res, Callback cb) {
    stats.count(200);
    res.setStatus(200);
    res.getHeaders().put(HttpHeader.CONTENT_TYPE, MediaFiles.contentType(p));
    res.getHeaders().put("X-Content-Type-Options", "nosniff");
    // An SVG may hold scripts; sandboxed it cannot run them against this origin.
    res.getHeaders().put("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'");
    res.getHeaders().put(HttpHeader.CACHE_CONTROL, "max-age=3600");
    Content.copy(Content.Source.from(p), res, cb);
  }

  // ---- writing ---------------------------------------------------------------------------------------------------

  private void send(Response res, Callback cb, int status, JsonObject body) {
    stats.count(status);
    Responses.json(res, cb, status, body);
  }

  private void internal(Response res, Callback cb, Throwable t) {
    System.err.println("cart serve: internal error: " + t);
    if (System.getenv("CART_DEBUG") != null) t.printStackTrace();
    if (res.isCommitted()) {
      cb.failed(t);
      return;
    }
    send(res, cb, 500, Responses.error(500, "internal error"));
  }

  private static String single(Fields params, String name) {
    List<String> v = params.getValues(name);
    if (v == null || v.isEmpty()) return null;
    if (v.size() > 1) throw new ApiError(400, "parameter " + name + " is given " + v.size() + " times");
    return v.get(0);
  }

  private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
    for (int i = 0; t != null && i < 10; t = t.getCause(), i++) if (type.isInstance(t)) return true;
    return false;
  }

  static String shorten(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
