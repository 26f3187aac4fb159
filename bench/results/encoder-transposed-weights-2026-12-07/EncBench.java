import java.util.*;
import org.cartengine.cart.text.SentenceEncoder;
import org.cartengine.cart.data.*;
public class EncBench {
  public static void main(String[] a) throws Exception {
    SentenceEncoder enc = SentenceEncoder.load();
    Dataset ds = Dataset.open("emoji");
    List<String> qs = new ArrayList<>();
    for (Caption c : ds.captions(Split.TEST)) qs.add(c.text());
    int bs = Integer.parseInt(a[0]);
    for (int round = 0; round < 4; round++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < qs.size(); i += bs) enc.encode(qs.subList(i, Math.min(qs.size(), i + bs)));
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf("batch %d round %d: %.0f texts/s%n", bs, round, qs.size() / s);
    }
  }
}
