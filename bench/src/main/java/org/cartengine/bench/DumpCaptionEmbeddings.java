package org.cartengine.bench;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cartengine.cart.data.Caption;
import org.cartengine.cart.data.Dataset;
import org.cartengine.cart.data.Embeddings;
import org.cartengine.cart.data.Npy;
import org.cartengine.cart.text.TextEmbedder;
import org.cartengine.cart.text.TextEncoders;
import org.cartengine.engine.backend.Backends;

/**
 * Every caption of a dataset embedded by the pretrained sentence encoder, for offline studies in numpy
 * (bench/enhance/neighbour_space.py): OUT/captions.tsv (item row, split, source or "-", text), OUT/capemb.npy [captions, 384]
 * and OUT/items.npy (the item embeddings).
 *
 * <p>Usage: {@code DumpCaptionEmbeddings DATASET OUT}
 */
public final class DumpCaptionEmbeddings {
  public static void main(String[] a) throws Exception {
    Dataset ds = Dataset.open(a[0]);
    Path out = Path.of(a[1]);
    Files.createDirectories(out);
    TextEmbedder enc = TextEncoders.load(TextEncoders.MINILM, Backends.get());
    List<Caption> cs = ds.captions();
    List<String> texts = new ArrayList<>();
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out.resolve("captions.tsv")))) {
      for (Caption c : cs) {
        texts.add(c.text());
        w.println(c.item() + "\t" + c.split() + "\t" + (c.source() == null ? "-" : c.source()) + "\t" + c.text().replace('\t', ' ').replace('\n', ' '));
      }
    }
    float[][] e = enc.embed(texts);
    int d = enc.dim();
    float[] flat = new float[e.length * d];
    for (int i = 0; i < e.length; i++) System.arraycopy(e[i], 0, flat, i * d, d);
    try (OutputStream o = Files.newOutputStream(out.resolve("capemb.npy"))) {
      Npy.write(o, Embeddings.of(flat, e.length, d), Npy.Dtype.F4);
    }
    Embeddings it = ds.embeddings();
    try (OutputStream o = Files.newOutputStream(out.resolve("items.npy"))) {
      Npy.write(o, Embeddings.of(it.toArray(), it.rows(), it.dim()), Npy.Dtype.F4);
    }
    System.out.println(ds.size() + " items, " + cs.size() + " captions -> " + out);
  }
}
