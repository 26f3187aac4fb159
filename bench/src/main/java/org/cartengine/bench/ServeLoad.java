package org.cartengine.bench;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.cartengine.cart.data.Caption;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.data.Split;
import org.cartengine.cart.serve.Searcher;
import org.cartengine.cart.run.RunDir;

/**
 * Load on the search: N concurrent clients for T seconds, each sending one query after another (the run's test
 * captions, in turn), reporting queries/s, p50/p90/p99 latency and errors.
 *
 * <pre>
 *   ServeLoad http      --run DIR --port P [--host 127.0.0.1] [--clients 32] [--warmup 20] [--seconds 30] [--k 10] [--client socket|jdk] [--fresh true]
 *   ServeLoad inprocess --run DIR [--clients 32] [--warmup 20] [--seconds 30] [--k 10] [--beam 10] [--batch 64] [--fresh true]
 * </pre>
 *
 * {@code http} drives a running {@code cart serve} over loopback only: any host that is not a loopback address
 * is refused, so the generator cannot be pointed at another machine. {@code inprocess} drives a {@link Searcher}
 * opened in this JVM with the same options as {@code cart serve}, from the same number of threads: the
 * throughput the server could reach without HTTP. The HTTP clients are plain keep-alive sockets ({@link LoopbackHttp}) by
 * default, so that the generator takes little of the CPU it shares with the server; {@code --client jdk} uses the JDK's
 * HttpClient instead.
 */
public final class ServeLoad {
  static final int MAX_CLIENTS = 1024;
  static final int MAX_SECONDS = 600;

  interface Client {
    /** One query; returns the HTTP status (200 for an in-process answer). */
    int query(String q) throws Exception;
  }

  record Report(String mode, int clients, double seconds, long ok, Map<String, Long> errors, double[] latencyMs) {
    double qps() {
      return ok / seconds;
    }

    String line() {
      return String.format(Locale.ROOT, "%-10s %3d clients %5.1f s: %8d answered, %8.1f queries/s, p50 %7.2f ms, p90 %7.2f ms, p99 %7.2f ms, errors %s",
          mode, clients, seconds, ok, qps(), latencyMs[0], latencyMs[1], latencyMs[2], errors.isEmpty() ? "0" : errors.toString());
    }
  }

  public static void main(String[] args) throws Exception {
    try {
      run(args);
    } catch (IOException | IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
    }
  }

  static void run(String[] args) throws Exception {
    if (args.length == 0) usage("no mode given");
    String mode = args[0];
    Map<String, String> o = options(Arrays.copyOfRange(args, 1, args.length));
    Path run = Path.of(o.getOrDefault("--run", "runs/emoji"));
    int clients = intOpt(o, "--clients", 32, 1, MAX_CLIENTS);
    int seconds = intOpt(o, "--seconds", 30, 1, MAX_SECONDS);
    // Unmeasured load first, with the same clients: the search's SIMD kernels reach compiled code only after tens of
    // seconds of load on 2 cores, and a measurement that includes that climb reads as a slower searcher.
    int warmup = intOpt(o, "--warmup", 20, 0, MAX_SECONDS);
    int k = intOpt(o, "--k", 10, 1, 1000);
    String host = o.getOrDefault("--host", "127.0.0.1");
    InetAddress addr = InetAddress.getByName(host);
    if (!addr.isLoopbackAddress()) usage("--host " + host + " is not a loopback address; this load generator only targets this machine");
    List<String> queries = queries(run);
    // Unseen queries: every query text made distinct by a number appended ("... 1234"), so that no cache of the
    // server (sentence embeddings, query features) answers it and each runs the text encoder, as new user queries do.
    boolean fresh = Boolean.parseBoolean(o.getOrDefault("--fresh", "false"));
    // CPU seconds of this process (the load generator, plus the searcher in-process) and of the server (by /proc), so
    // that the HTTP figure can be read against what the clients themselves take from a machine they share with it.
    long serverPid = o.containsKey("--server-pid") ? Long.parseLong(o.get("--server-pid")) : -1;
    // Read when the measured phase starts (after the warm-up), in drive.
    double[] start = new double[3];
    Plan plan = new Plan(clients, warmup, seconds, queries, fresh, () -> {
      start[0] = processCpuSeconds();
      start[1] = serverPid > 0 ? procCpuSeconds(serverPid) : Double.NaN;
      start[2] = System.nanoTime();
    });
    Report r;
    if (mode.equals("http")) {
      int port = intOpt(o, "--port", 8080, 1, 65535);
      String client = o.getOrDefault("--client", "socket");
      if (client.equals("jdk")) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        String base = "http://" + (addr.getHostAddress().contains(":") ? "[" + addr.getHostAddress() + "]" : addr.getHostAddress()) + ":" + port;
        r = drive("http", plan, () -> q -> {
          HttpRequest req = HttpRequest.newBuilder(URI.create(base + searchPath(k, q)))
              .timeout(Duration.ofSeconds(60)).build();
          HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
          return res.statusCode();
        });
      } else if (client.equals("socket")) {
        // One keep-alive connection per client thread (LoopbackHttp), the requests' paths encoded before the clock starts.
        Map<String, String> paths = new java.util.HashMap<>();
        for (String q : queries) paths.computeIfAbsent(q, x -> searchPath(k, x));
        r = drive("http", plan, () -> {
          LoopbackHttp c = new LoopbackHttp(addr, port);
          return q -> {
            String path = paths.get(q); // a --fresh query is encoded here
            return c.get(path != null ? path : searchPath(k, q));
          };
        });
      } else {
        usage("--client " + client + ": socket (one keep-alive connection per client) or jdk (java.net.http.HttpClient)");
        return;
      }
    } else if (mode.equals("inprocess")) {
      int beam = intOpt(o, "--beam", 10, 1, 1000);
      int batch = intOpt(o, "--batch", 64, 1, 4096);
      // The same searcher `cart serve` builds: with the run's re-rank when it has one, unless --rerank off.
      org.cartengine.engine.backend.Backend be = org.cartengine.engine.backend.Backends.get();
      org.cartengine.cart.run.TrainedRun tr = org.cartengine.cart.run.TrainedRun.load(run, be);
      Searcher.Options so = Searcher.Options.defaults().withBeam(beam).withBatch(batch, 2_000).withBackend(be);
      var rr = "off".equals(o.getOrDefault("--rerank", "on")) ? null : org.cartengine.cart.serve.EmbeddingReranker.of(tr, be);
      if (rr != null) so = so.withReranker(rr).withBeam(rr.beam(beam));
      System.out.println("in-process searcher: " + (rr == null ? "no re-rank" : "re-rank " + rr.scoreName()) + ", beam " + so.beam());
      try (Searcher s = Searcher.of(tr, so)) {
        // Warm-up, as a server would have had by the time clients arrive.
        s.searchBatch(queries.subList(0, Math.min(queries.size(), batch)), k);
        r = drive("inprocess", plan, () -> q -> {
          s.search(q, k);
          return 200;
        });
        System.out.printf(Locale.ROOT, "searcher: %s%n", s.stats());
      }
    } else {
      usage("unknown mode '" + mode + "' (http or inprocess)");
      return;
    }
    double wall = (System.nanoTime() - start[2]) / 1e9;
    double cpu = processCpuSeconds() - start[0], server = serverPid > 0 ? procCpuSeconds(serverPid) - start[1] : Double.NaN;
    int cores = Runtime.getRuntime().availableProcessors();
    System.out.println(r.line());
    System.out.printf(Locale.ROOT, "cpu: this process %.1f s (%.0f%% of %d cores over %.1f s)%s%n", cpu, 100 * cpu / (wall * cores), cores, wall,
        serverPid > 0 ? String.format(Locale.ROOT, ", server %.1f s (%.0f%%)", server, 100 * server / (wall * cores)) : "");
    JsonObject j = new JsonObject();
    j.addProperty("cpu_seconds_this_process", cpu);
    if (serverPid > 0) j.addProperty("cpu_seconds_server", server);
    j.addProperty("wall_seconds", wall);
    j.addProperty("warmup_seconds", warmup);
    j.addProperty("cores", cores);
    j.addProperty("mode", r.mode());
    j.addProperty("clients", r.clients());
    j.addProperty("seconds", r.seconds());
    j.addProperty("answered", r.ok());
    j.addProperty("queries_per_second", r.qps());
    j.addProperty("p50_ms", r.latencyMs()[0]);
    j.addProperty("p90_ms", r.latencyMs()[1]);
    j.addProperty("p99_ms", r.latencyMs()[2]);
    j.add("errors", RunDir.GSON.toJsonTree(r.errors()));
    if (o.containsKey("--json")) RunDir.writeAtomic(Path.of(o.get("--json")), RunDir.GSON.toJson(j));
  }

  static double processCpuSeconds() {
    var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() / 1e9 : Double.NaN;
  }

  /** utime + stime of a process from /proc/PID/stat (Linux), at 100 clock ticks per second. */
  static double procCpuSeconds(long pid) {
    try {
      String st = java.nio.file.Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // fields 14 and 15 of stat, counted after the name
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  interface ClientFactory {
    Client make() throws Exception;
  }

  /** GET path of a search for {@code q}, top {@code k}. */
  static String searchPath(int k, String q) {
    return "/api/search?k=" + k + "&q=" + URLEncoder.encode(q, StandardCharsets.UTF_8);
  }

  /**
   * What the clients do: {@code warmup} seconds unmeasured, then {@code seconds} measured, over {@code queries} in turn
   * (each made distinct by a running number when {@code fresh}); {@code atMeasuredStart} runs as the measured phase begins.
   */
  record Plan(int clients, int warmup, int seconds, List<String> queries, boolean fresh, Runnable atMeasuredStart) {}

  /** Runs the plan's clients, warm-up first; each records its own latencies, merged at the end. */
  static Report drive(String mode, Plan plan, ClientFactory factory) throws Exception {
    List<Client> made = new ArrayList<>();
    for (int c = 0; c < plan.clients(); c++) made.add(factory.make());
    AtomicLong sent = new AtomicLong();
    if (plan.warmup() > 0) phase(mode, made, plan.warmup(), plan, sent);
    plan.atMeasuredStart().run();
    return phase(mode, made, plan.seconds(), plan, sent);
  }

  private static Report phase(String mode, List<Client> made, int seconds, Plan plan, AtomicLong sent) throws Exception {
    List<String> queries = plan.queries();
    int clients = made.size();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    long[][] lat = new long[clients][];
    int[] counts = new int[clients];
    Map<String, AtomicLong> errors = new java.util.concurrent.ConcurrentHashMap<>();
    List<Thread> threads = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int c = 0; c < clients; c++) {
      int id = c;
      Client cl = made.get(c);
      Thread t = new Thread(() -> {
        long[] mine = new long[1024];
        int n = 0, qi = id * 7919;
        while (System.nanoTime() < end) {
          String q = queries.get(Math.floorMod(qi++, queries.size()));
          if (plan.fresh()) q = q + " " + sent.incrementAndGet();
          long s = System.nanoTime();
          try {
            int status = cl.query(q);
            if (status != 200) {
              errors.computeIfAbsent("HTTP " + status, x -> new AtomicLong()).incrementAndGet();
              continue;
            }
          } catch (Exception e) {
            errors.computeIfAbsent(e.getClass().getSimpleName(), x -> new AtomicLong()).incrementAndGet();
            continue;
          }
          if (n == mine.length) mine = Arrays.copyOf(mine, n * 2);
          mine[n++] = System.nanoTime() - s;
        }
        lat[id] = mine;
        counts[id] = n;
      }, "load-" + c);
      threads.add(t);
    }
    for (Thread t : threads) t.start();
    for (Thread t : threads) t.join();
    double secs = (System.nanoTime() - t0) / 1e9;
    int total = 0;
    for (int c : counts) total += c;
    long[] all = new long[total];
    int at = 0;
    for (int c = 0; c < clients; c++) {
      System.arraycopy(lat[c], 0, all, at, counts[c]);
      at += counts[c];
    }
    Arrays.sort(all);
    double[] p = new double[3];
    double[] qs = {0.50, 0.90, 0.99};
    for (int i = 0; i < 3; i++) p[i] = all.length == 0 ? 0 : all[Math.min(all.length - 1, (int) Math.ceil(qs[i] * all.length) - 1)] / 1e6;
    Map<String, Long> err = new TreeMap<>();
    errors.forEach((kk, v) -> err.put(kk, v.get()));
    return new Report(mode, clients, secs, total, err, p);
  }

  static List<String> queries(Path run) throws IOException {
    JsonObject r = new RunDir(run).readRun();
    Dataset ds = Dataset.open(r.get("data").getAsString());
    List<String> qs = new ArrayList<>();
    for (Caption c : ds.captions(Split.TEST)) qs.add(c.text());
    if (qs.isEmpty()) for (Caption c : ds.captions()) qs.add(c.text());
    if (qs.isEmpty()) throw new IOException(run + ": its dataset has no captions to use as queries");
    return qs;
  }

  static Map<String, String> options(String[] a) {
    Map<String, String> m = new TreeMap<>();
    for (int i = 0; i < a.length; i += 2) {
      if (!a[i].startsWith("--") || i + 1 >= a.length) usage("expected --option value pairs, got '" + a[i] + "'");
      m.put(a[i], a[i + 1]);
    }
    return m;
  }

  static int intOpt(Map<String, String> o, String name, int def, int min, int max) {
    String v = o.get(name);
    if (v == null) return def;
    try {
      int x = Integer.parseInt(v);
      if (x < min || x > max) usage(name + " " + v + " is outside [" + min + ", " + max + "]");
      return x;
    } catch (NumberFormatException e) {
      usage(name + " '" + v + "' is not an integer");
      return def;
    }
  }

  static void usage(String why) {
    System.err.println("error: " + why);
    System.err.println("usage: ServeLoad http --run DIR --port P [--server-pid PID] [--host 127.0.0.1] [--clients 32] [--warmup 20] [--seconds 30] [--k 10] [--client socket|jdk] [--fresh true] [--json FILE]");
    System.err.println("       ServeLoad inprocess --run DIR [--clients 32] [--warmup 20] [--seconds 30] [--k 10] [--beam 10] [--batch 64] [--fresh true] [--json FILE]");
    System.exit(2);
  }
}
