package org.cartengine.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded soak of a running {@code cart serve} on loopback (bench/serve-soak.sh): CLIENTS threads send requests
 * back to back for SECONDS, one in five of them hostile (a 20 KB URI, malformed JSON, k out of range, a body over the
 * limit, an unknown item, an empty query). Valid searches go through one {@link java.net.http.HttpClient} that keeps its
 * connections open, as a real client would; each hostile request gets a connection of its own (the server may close
 * it early). Opening a connection per valid request as well (an earlier version) made about 660 loopback connections a
 * second, which leave more sockets in TIME_WAIT over a minute than Linux has ephemeral ports (32768-60999): the client then
 * fails now and then to connect, which is the client's limit, not the server's. Every interval it prints the valid
 * queries answered per second, their p99 latency, the server's heap after a full GC ({@code jcmd PID GC.run}, then
 * {@code GC.heap_info}) and the count of each outcome. Errors are anything but 200 for a valid query and anything
 * but the intended 4xx for a hostile one (429 and 503, the bounded waits, are counted apart). Loopback only.
 *
 * <p>Usage: {@code ServeSoak PORT SERVER_PID [seconds 600] [clients 16] [interval seconds 60]}
 */
public final class ServeSoak {
  static final String[] WORDS = {"red", "cat", "blue", "car", "smiling", "face", "heart", "green", "tree", "sun", "moon", "flag",
      "dog", "house", "star", "fire", "water", "music", "food", "happy"};

  /** One request: its kind, the HTTP status (-1 when none came back), the time, and the client's error if any. */
  record Outcome(String kind, int status, long nanos, String error) {}

  static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1)
      .connectTimeout(java.time.Duration.ofSeconds(5)).build();
  /** The first few client-side errors, printed with the totals. */
  static final List<String> ERRORS = java.util.Collections.synchronizedList(new ArrayList<>());

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    long serverPid = Long.parseLong(args[1]);
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 600;
    int clients = args.length > 3 ? Integer.parseInt(args[3]) : 16;
    int interval = args.length > 4 ? Integer.parseInt(args[4]) : 60;
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    List<long[]> latencies = new ArrayList<>();  // per interval, filled below
    Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    List<Long> validNanos = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      final long seed = c;
      Thread t = new Thread(() -> {
        Random r = new Random(seed);
        while (System.nanoTime() < end) {
          Outcome o = request(port, r);
          String key = o.kind + " " + classify(o);
          counts.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
          if (o.kind.equals("valid") && o.status == 200) validNanos.add(o.nanos);
          if (o.error != null && ERRORS.size() < 20) ERRORS.add(o.kind + ": " + o.error);
        }
      }, "soak-" + c);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    System.out.printf(Locale.ROOT, "%-8s %9s %9s %14s  %s%n", "interval", "valid q/s", "p99 ms", "heap after GC", "outcomes in the interval");
    int minute = 0;
    long totalErrors = 0;
    Map<String, Long> totals = new TreeMap<>();
    while (System.nanoTime() < end) {
      long t0 = System.nanoTime();
      Thread.sleep(Math.min(interval * 1000L, Math.max(1, (end - t0) / 1_000_000)));
      double secs = (System.nanoTime() - t0) / 1e9;
      long[] lat;
      synchronized (validNanos) {
        lat = validNanos.stream().mapToLong(Long::longValue).toArray();
        validNanos.clear();
      }
      Map<String, Long> snap = new TreeMap<>();
      for (var e : counts.entrySet()) {
        long n = e.getValue().getAndSet(0);
        if (n > 0) snap.put(e.getKey(), n);
      }
      for (var e : snap.entrySet()) {
        totals.merge(e.getKey(), e.getValue(), Long::sum);
        if (e.getKey().endsWith("ERROR")) totalErrors += e.getValue();
      }
      Arrays.sort(lat);
      double p99 = lat.length == 0 ? Double.NaN : lat[Math.min(lat.length - 1, (int) Math.ceil(0.99 * lat.length) - 1)] / 1e6;
      minute++;
      System.out.printf(Locale.ROOT, "%-8d %9.1f %9.1f %11s MB  %s%n", minute, lat.length / secs, p99, heapAfterGc(serverPid), snap);
      latencies.add(lat);
    }
    for (Thread t : threads) t.join(30_000);
    System.out.println("totals: " + totals);
    synchronized (ERRORS) {
      for (String e : ERRORS) System.out.println("client error: " + e);
    }
    System.out.println(totalErrors == 0 ? "no errors (only the intended 4xx, 429 and 503)" : totalErrors + " ERRORS");
    System.exit(totalErrors == 0 ? 0 : 1);
  }

  static String classify(Outcome o) {
    if (o.kind.equals("valid")) return o.status == 200 ? "200" : o.status == 429 || o.status == 503 ? "busy" : "ERROR";
    if (o.status == 429 || o.status == 503) return "busy";
    return o.status >= 400 && o.status < 500 ? "4xx" : "ERROR";
  }

  /** One request: four in five valid searches (kept-alive connections), the rest hostile (a connection each). */
  static Outcome request(int port, Random r) {
    String kind;
    byte[] req;
    String target = null;
    int pick = r.nextInt(30);
    String q = WORDS[r.nextInt(WORDS.length)] + "%20" + WORDS[r.nextInt(WORDS.length)];
    if (pick < 24) {
      kind = "valid";
      target = "/api/search?q=" + q + "&k=" + (1 + r.nextInt(10));
      req = null;
    } else {
      switch (pick) {
        case 24 -> { kind = "long-uri"; req = get("/api/search?q=" + "a".repeat(20_000)); }
        case 25 -> { kind = "bad-json"; req = post("/api/search", "{\"queries\": [\"red\"".getBytes(StandardCharsets.UTF_8)); }
        case 26 -> { kind = "bad-k"; req = get("/api/search?q=" + q + "&k=-3"); }
        case 27 -> { kind = "big-body"; req = post("/api/search", ("{\"queries\": [\"" + "a ".repeat(70_000) + "\"]}").getBytes(StandardCharsets.UTF_8)); }
        case 28 -> { kind = "no-item"; req = get("/api/items/no-such-item-" + r.nextInt(1000)); }
        default -> { kind = "empty-q"; req = get("/api/search?q="); }
      }
    }
    long t0 = System.nanoTime();
    int status;
    String error = null;
    try {
      status = kind.equals("valid") ? sendKeepAlive(port, target) : send(port, req);
    } catch (IOException e) {
      status = -1;
      error = e.toString();
    }
    return new Outcome(kind, status, System.nanoTime() - t0, error);
  }

  /** A GET through the shared keep-alive client; the status of the reply. */
  static int sendKeepAlive(int port, String target) throws IOException {
    try {
      return HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + target)).timeout(java.time.Duration.ofSeconds(30))
          .build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  static byte[] get(String target) {
    return ("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
  }

  static byte[] post(String path, byte[] body) {
    byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " + body.length
        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = Arrays.copyOf(head, head.length + body.length);
    System.arraycopy(body, 0, all, head.length, body.length);
    return all;
  }

  /**
   * The status of the reply. The request is written by another thread while this one reads: a server that refuses a
   * request early (414, 413) answers and closes before the request is all sent, and reading only after writing
   * would meet the reset instead of the reply.
   */
  static int send(int port, byte[] req) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      Thread writer = new Thread(() -> {
        try {
          out.write(req);
          out.flush();
        } catch (IOException refusedEarly) {
          // the reply, if any, is read below
        }
      });
      writer.setDaemon(true);
      writer.start();
      InputStream in = s.getInputStream();
      byte[] head = new byte[12];
      int n = 0;
      try {
        while (n < 12) {
          int k = in.read(head, n, 12 - n);
          if (k < 0) break;
          n += k;
        }
        while (in.read(new byte[8192]) >= 0) {
          // drain the body until the server closes
        }
      } catch (IOException e) {
        if (n < 12) throw e;
      }
      String h = new String(head, 0, n, StandardCharsets.ISO_8859_1);
      if (n < 12 || !h.startsWith("HTTP/1.1 ")) throw new IOException("not an HTTP reply: " + h);
      return Integer.parseInt(h.substring(9, 12));
    }
  }

  /** The server's heap after a full GC, in MB, through jcmd ("?" when it cannot be read). */
  static String heapAfterGc(long pid) {
    try {
      run("jcmd", Long.toString(pid), "GC.run");
      String info = run("jcmd", Long.toString(pid), "GC.heap_info");
      // e.g. " PSYoungGen      total 76288K, used 2621K ..." and " ParOldGen       total 175104K, used 1234K ..."
      long usedK = 0;
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s*\\S.*?total \\d+K, used (\\d+)K").matcher(info);
      boolean any = false;
      while (m.find()) {
        usedK += Long.parseLong(m.group(1));
        any = true;
      }
      if (!any) {
        java.util.regex.Matcher g1 = java.util.regex.Pattern.compile("garbage-first heap\\s+total \\d+K, used (\\d+)K").matcher(info);
        if (g1.find()) return String.format(Locale.ROOT, "%.1f", Long.parseLong(g1.group(1)) / 1024.0);
        return "?";
      }
      return String.format(Locale.ROOT, "%.1f", usedK / 1024.0);
    } catch (IOException | InterruptedException e) {
      return "?";
    }
  }

  static String run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    p.waitFor();
    return new String(out, StandardCharsets.UTF_8);
  }
}
