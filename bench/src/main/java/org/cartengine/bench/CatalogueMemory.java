package org.cartengine.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.data.PackedStrings;
import org.cartengine.cart.report.Table;

/**
 * Heap held by a served catalogue's item table (ids with their lookup index, media paths, labels) at 1M-10M items,
 * packed ({@link PackedStrings}, as {@code Dataset.load} reads items.tsv) against String lists and a HashMap.
 * Labels cycle through the embedded emoji dataset's captions, so their lengths are real ones; ids are "item-N" and
 * media paths "media/item-N.png". Add the CART served state of {@code RetrievalThroughput} (model, identifier table,
 * prefix trie) at the same size for the whole served heap.
 *
 * <p>Usage: {@code java -Xmx12g -cp bench/target/benchmarks.jar org.cartengine.bench.CatalogueMemory [sizes, default
 * 1000000,10000000] [largest size for the String lists, default 1000000]}
 */
public final class CatalogueMemory {
  public static void main(String[] args) {
    int[] sizes = args.length > 0 ? java.util.Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray() : new int[] {1_000_000, 10_000_000};
    long listMax = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000;
    Dataset emoji = Dataset.loadEmbedded("emoji");
    List<String> real = new ArrayList<>();
    long chars = 0;
    // emoji's own labels are the glyphs (about 3 characters); its captions ("grinning face with big eyes") have the
    // length of the labels a real catalogue carries.
    for (var c : emoji.captions()) {
      real.add(c.text());
      chars += c.text().length();
    }
    System.out.printf(Locale.ROOT, "labels: the %,d emoji captions in turn, mean %.1f characters%n", real.size(), (double) chars / real.size());
    Table t = new Table("items", "packed (MB)", "String lists + HashMap (MB)", "packed / lists", "lookups checked");
    for (int n : sizes) {
      long before = MachineInfo.usedHeap();
      PackedStrings ids = PackedStrings.indexed(), media = PackedStrings.plain(), labels = PackedStrings.plain();
      for (int i = 0; i < n; i++) {
        String id = "item-" + i;
        ids.add(id);
        media.add("media/" + id + ".png");
        labels.add(real.get(i % real.size()));
      }
      ids.trim();
      media.trim();
      labels.trim();
      long packed = MachineInfo.usedHeap() - before;
      int checked = 0;
      for (int i = 0; i < n; i += 9973, checked++)
        if (ids.indexOf("item-" + i) != i || !labels.get(i).equals(real.get(i % real.size()))) throw new IllegalStateException("lookup of item " + i + " failed");
      ids = media = labels = null;
      String lists = "not run (over " + listMax + " items)", ratio = "";
      if (n <= listMax) {
        before = MachineInfo.usedHeap();
        List<String> li = new ArrayList<>(), lm = new ArrayList<>(), ll = new ArrayList<>();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < n; i++) {
          String id = "item-" + i;
          index.put(id, i);
          li.add(id);
          lm.add("media/" + id + ".png");
          ll.add(new String(real.get(i % real.size()))); // one String per item, as a file read gives
        }
        long plain = MachineInfo.usedHeap() - before;
        if (li.size() + lm.size() + ll.size() + index.size() != 4 * n) throw new IllegalStateException();
        lists = String.format(Locale.ROOT, "%,d", plain >> 20);
        ratio = String.format(Locale.ROOT, "%.2f", (double) packed / plain);
      }
      t.row(String.format(Locale.ROOT, "%,d", n), String.format(Locale.ROOT, "%,d", packed >> 20), lists, ratio, String.valueOf(checked));
      System.err.printf(Locale.ROOT, "%,d items done%n", n);
    }
    System.out.println(t);
  }
}
