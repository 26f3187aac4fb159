import java.nio.file.*;
import java.util.*;
import org.cartengine.cart.serve.Searcher;
import org.cartengine.cart.data.*;
public class Probe {
  public static void main(String[] a) throws Exception {
    Path run = Path.of(a[0]);
    int n = Integer.parseInt(a[1]);
    var be = org.cartengine.engine.backend.Backends.get();
    var tr = org.cartengine.cart.run.TrainedRun.load(run, be);
    Searcher.Options so = Searcher.Options.defaults().withBeam(10).withBatch(64, 2_000).withBackend(be);
    var rr = org.cartengine.cart.serve.EmbeddingReranker.of(tr, be);
    if (rr != null) so = so.withReranker(rr).withBeam(rr.beam(10));
    Dataset ds = Dataset.open("emoji");
    List<String> qs = new ArrayList<>();
    for (Caption c : ds.captions(Split.TEST)) qs.add(c.text());
    try (Searcher s = Searcher.of(tr, so)) {
      int serial = 0;
      for (int i = 0; i < 300; i++) s.search(qs.get(i % qs.size()) + " w" + (serial++), 10);
      for (int pass = 0; pass < Integer.parseInt(a[2]); pass++) {
        double[] lat = new double[n];
        long gc0 = gcMillis();
        for (int i = 0; i < n; i++) {
          String q = qs.get(i % qs.size()) + " " + (serial++);
          long t0 = System.nanoTime();
          s.search(q, 10);
          lat[i] = (System.nanoTime() - t0) / 1e6;
        }
        long gc = gcMillis() - gc0;
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        Arrays.sort(idx, (x, y) -> Double.compare(lat[y], lat[x]));
        double[] sorted = lat.clone(); Arrays.sort(sorted);
        int over = 0; for (double x : lat) if (x > 25) over++;
        System.out.printf("pass %d: p50 %.2f p90 %.2f p99 %.2f p99.9 %.2f max %.2f ms, >25ms %d, GC %d ms total%n", pass, sorted[n/2], sorted[n*9/10], sorted[n*99/100], sorted[n*999/1000], sorted[n-1], over, gc);
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < 15; j++) sb.append(String.format("%.1f[%d:%s] ", lat[idx[j]], idx[j] % qs.size(), qs.get(idx[j] % qs.size())));
        if (a.length > 3) System.out.println("  slowest: " + sb);
      }
    }
  }
  static long gcMillis() { long t = 0; for (var g : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) t += g.getCollectionTime(); return t; }
}
