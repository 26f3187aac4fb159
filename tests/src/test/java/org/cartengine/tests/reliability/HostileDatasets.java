package org.cartengine.tests.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Malformed dataset directories, one per {@link Fault}: every rule of the dataset format (package documentation of
 * {@code org.cartengine.cart.data}) broken once in an otherwise valid dataset, plus hostile files (lying or truncated
 * .npy headers, shapes that overflow an int or would exhaust the heap, bytes that are not UTF-8, a 10 MB line, ...).
 * A few {@link Variant}s are not faults: a byte order mark, CRLF line ends and an empty captions.jsonl are accepted.
 *
 * <p>Files are written byte by byte here, not by the project's writer, so that any byte can be wrong.
 */
final class HostileDatasets {
  private HostileDatasets() {}

  /** A broken rule: the file the error must name, and whether it must name a line too. */
  enum Fault {
    NPY_MISSING("items.npy", false), NPY_EMPTY("items.npy", false), NPY_BAD_MAGIC("items.npy", false),
    NPY_BAD_VERSION("items.npy", false), NPY_HEADER_CUT("items.npy", false), NPY_HEADER_LENGTH_LIES("items.npy", false),
    NPY_DATA_TRUNCATED("items.npy", false), NPY_TRAILING_BYTES("items.npy", false),
    NPY_SHAPE_LIES("items.npy", false), NPY_SHAPE_OVERFLOWS_INT("items.npy", false),
    NPY_SHAPE_EXHAUSTS_HEAP("items.npy", false), NPY_SHAPE_OVERFLOWS_LONG("items.npy", false),
    NPY_NOT_2D("items.npy", false), NPY_FORTRAN_ORDER("items.npy", false), NPY_F8("items.npy", false),
    NPY_OTHER_DTYPE("items.npy", false), NPY_BIG_ENDIAN("items.npy", false), NPY_NAN("items.npy", false),
    NPY_INFINITY("items.npy", false), NPY_ZERO_ITEMS("items.npy", false),
    TSV_MISSING("items.tsv", false), TSV_EMPTY("items.tsv", false), TSV_FEWER_LINES("items.tsv", false),
    TSV_MORE_LINES("items.tsv", true), TSV_DUPLICATE_ID("items.tsv", true), TSV_EMPTY_ID("items.tsv", true),
    TSV_BLANK_LINE_INSIDE("items.tsv", true), TSV_NOT_UTF8("items.tsv", true), TSV_10MB_LINE("items.tsv", true),
    CAP_MISSING("captions.jsonl", false), CAP_UNKNOWN_ITEM("captions.jsonl", true),
    CAP_UNKNOWN_SPLIT("captions.jsonl", true), CAP_MALFORMED_JSON("captions.jsonl", true),
    CAP_LENIENT_JSON("captions.jsonl", true), CAP_NOT_AN_OBJECT("captions.jsonl", true),
    CAP_MISSING_KEY("captions.jsonl", true), CAP_WRONG_TYPE("captions.jsonl", true),
    CAP_EMPTY_TEXT("captions.jsonl", true), CAP_NOT_UTF8("captions.jsonl", true),
    CAP_10MB_LINE("captions.jsonl", true), CAP_DEEP_NESTING("captions.jsonl", true),
    INFO_MISSING("dataset.json", false), INFO_EMPTY("dataset.json", false), INFO_MALFORMED("dataset.json", false),
    INFO_NOT_AN_OBJECT("dataset.json", false), INFO_MISSING_KEY("dataset.json", false),
    INFO_UNKNOWN_MODALITY("dataset.json", false), INFO_DIM_MISMATCH("dataset.json", false),
    INFO_ITEMS_MISMATCH("dataset.json", false), INFO_BAD_NUMBER("dataset.json", false),
    INFO_NOT_UTF8("dataset.json", false), INFO_TRAILING_DATA("dataset.json", false),
    MANIFEST_MISMATCH("items.tsv", false), DIRECTORY_INSTEAD_OF_FILE("captions.jsonl", false);

    final String file;
    final boolean line;

    Fault(String file, boolean line) {
      this.file = file;
      this.line = line;
    }
  }

  /** Accepted departures from the plainest form of the format. */
  enum Variant { BOM, CRLF, EMPTY_CAPTIONS, TRAILING_BLANK_LINES }

  /** A valid dataset's content, kept as values so that one of its files can be written wrongly. */
  static final class Base {
    final int n;
    final int dim;
    final float[] values;
    final List<String> ids = new ArrayList<>();
    final List<String> captions = new ArrayList<>();

    Base(Random r) {
      n = 2 + r.nextInt(5);
      dim = 1 + r.nextInt(5);
      values = new float[n * dim];
      for (int i = 0; i < values.length; i++) values[i] = (float) r.nextGaussian();
      String[] splits = {"train", "val", "test"};
      for (int i = 0; i < n; i++) {
        ids.add("item-" + i + (r.nextBoolean() ? "-é" : ""));
        int c = 1 + r.nextInt(3);
        for (int j = 0; j < c; j++) {
          captions.add(caption(ids.get(i), "a picture of thing " + i + " number " + j, splits[r.nextInt(3)]));
        }
      }
    }

    static String caption(String item, String text, String split) {
      return "{\"item\":\"" + item + "\",\"text\":\"" + text + "\",\"split\":\"" + split + "\"}";
    }

    String tsv() {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < n; i++) sb.append(ids.get(i)).append('\t').append(i % 2 == 0 ? "media/" + i + ".png" : "").append('\n');
      return sb.toString();
    }

    String jsonl() {
      return String.join("\n", captions) + "\n";
    }

    String info(int dimValue, int itemsValue) {
      return "{\"name\": \"hostile\", \"modality\": \"image\", \"dim\": " + dimValue + ", \"items\": " + itemsValue
          + ", \"encoder\": \"random\", \"source\": \"made up\", \"license\": \"CC0\"}\n";
    }

    byte[] npy() {
      return HostileDatasets.npy(header("<f4", false, "(" + n + ", " + dim + ")"), values);
    }

    void writeValid(Path dir) {
      write(dir, "items.npy", npy());
      write(dir, "items.tsv", tsv());
      write(dir, "captions.jsonl", jsonl());
      write(dir, "dataset.json", info(dim, n));
    }
  }

  static String header(String descr, boolean fortran, String shape) {
    return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
  }

  /** A version 1.0 .npy: magic, version, header length, the header padded to 64 bytes, the values. */
  static byte[] npy(String dict, float[] values) {
    int unpadded = 10 + dict.length() + 1;
    String h = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
    ByteBuffer bb = ByteBuffer.allocate(10 + h.length() + 4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    bb.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) h.length());
    bb.put(h.getBytes(StandardCharsets.ISO_8859_1));
    for (float v : values) bb.putFloat(v);
    return bb.array();
  }

  static int headerEnd(byte[] npy) {
    return 10 + (ByteBuffer.wrap(npy, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff);
  }

  static void write(Path dir, String file, byte[] b) {
    try {
      Files.createDirectories(dir);
      Files.write(dir.resolve(file), b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void write(Path dir, String file, String s) {
    write(dir, file, s.getBytes(StandardCharsets.UTF_8));
  }

  /** A string of {@code n} characters with no line break. */
  static String longText(int n) {
    return "x".repeat(n);
  }

  /** {@code text} with the line at 0-based index {@code line} replaced; lines end with '\n'. */
  static String replaceLine(String text, int line, String with) {
    String[] ls = text.split("\n", -1);
    ls[line] = with;
    return String.join("\n", ls);
  }

  /** Bytes that are not UTF-8 (a lone continuation byte, an overlong form, a truncated sequence). */
  static final byte[][] NOT_UTF8 = {{(byte) 0x80}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xFF}};

  /** {@code text} with bad bytes inserted into line {@code line} (0-based); returns the file's bytes. */
  static byte[] withBadBytes(String text, int line, Random r) {
    String[] ls = text.split("\n", -1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < ls.length; i++) {
      byte[] b = ls[i].getBytes(StandardCharsets.UTF_8);
      if (i == line) {
        int at = 1 + r.nextInt(Math.max(1, b.length - 1));
        out.write(b, 0, Math.min(at, b.length));
        out.writeBytes(NOT_UTF8[r.nextInt(NOT_UTF8.length)]);
        out.write(b, Math.min(at, b.length), b.length - Math.min(at, b.length));
      } else {
        out.writeBytes(b);
      }
      if (i < ls.length - 1) out.write('\n');
    }
    return out.toByteArray();
  }

  /**
   * Writes the dataset of {@code fault} into {@code dir}; returns the 1-based line the error must name (0 if none).
   */
  static int make(Fault fault, Random r, Path dir) {
    Base b = new Base(r);
    b.writeValid(dir);
    int row = r.nextInt(b.n);
    int capLine = r.nextInt(b.captions.size());
    switch (fault) {
      case NPY_MISSING -> delete(dir.resolve("items.npy"));
      case NPY_EMPTY -> write(dir, "items.npy", new byte[0]);
      case NPY_BAD_MAGIC -> {
        byte[] x = b.npy();
        x[r.nextInt(6)] ^= (byte) (1 + r.nextInt(255));
        write(dir, "items.npy", x);
      }
      case NPY_BAD_VERSION -> {
        byte[] x = b.npy();
        x[6] = (byte) (4 + r.nextInt(250));
        write(dir, "items.npy", x);
      }
      case NPY_HEADER_CUT -> {
        byte[] x = b.npy();
        write(dir, "items.npy", java.util.Arrays.copyOf(x, r.nextInt(headerEnd(x))));
      }
      case NPY_HEADER_LENGTH_LIES -> {
        byte[] x = b.npy();
        int lie = headerEnd(x) + 1 + r.nextInt(60000);
        x[8] = (byte) lie;
        x[9] = (byte) (lie >> 8);
        write(dir, "items.npy", x);
      }
      case NPY_DATA_TRUNCATED -> {
        byte[] x = b.npy();
        write(dir, "items.npy", java.util.Arrays.copyOf(x, x.length - 1 - r.nextInt(4 * b.values.length)));
      }
      case NPY_TRAILING_BYTES -> {
        byte[] x = b.npy();
        write(dir, "items.npy", java.util.Arrays.copyOf(x, x.length + 1 + r.nextInt(64)));
      }
      case NPY_SHAPE_LIES -> {
        int rows = b.n + (r.nextBoolean() ? 1 + r.nextInt(5) : -1);
        write(dir, "items.npy", npy(header("<f4", false, "(" + rows + ", " + b.dim + ")"), b.values));
        write(dir, "dataset.json", b.info(b.dim, rows));
      }
      case NPY_SHAPE_OVERFLOWS_INT -> {
        long rows = (long) Integer.MAX_VALUE + 1 + r.nextInt(1000);
        write(dir, "items.npy", npy(header("<f4", false, "(" + rows + ", " + b.dim + ")"), b.values));
      }
      case NPY_SHAPE_EXHAUSTS_HEAP -> {
        // Valid ints whose product is far beyond any heap; the file holds only a few values.
        int rows = 100_000_000 + r.nextInt(1_000_000_000), d = 1000 + r.nextInt(100_000);
        write(dir, "items.npy", npy(header("<f4", false, "(" + rows + ", " + d + ")"), b.values));
        write(dir, "dataset.json", b.info(d, rows));
      }
      case NPY_SHAPE_OVERFLOWS_LONG -> {
        write(dir, "items.npy", npy(header("<f4", false, "(2147483647, 2147483647)"), b.values));
        write(dir, "dataset.json", b.info(Integer.MAX_VALUE, Integer.MAX_VALUE));
      }
      case NPY_NOT_2D -> {
        String[] shapes = {"(" + b.n * b.dim + ",)", "(" + b.n + ", " + b.dim + ", 1)", "()", "(" + b.n + ", x)"};
        write(dir, "items.npy", npy(header("<f4", false, shapes[r.nextInt(shapes.length)]), b.values));
      }
      case NPY_FORTRAN_ORDER -> write(dir, "items.npy", npy(header("<f4", true, "(" + b.n + ", " + b.dim + ")"), b.values));
      case NPY_F8 -> {
        // float64 data, honestly described: still an unsupported dtype
        float[] twice = new float[2 * b.values.length];
        write(dir, "items.npy", npy(header("<f8", false, "(" + b.n + ", " + b.dim + ")"), twice));
      }
      case NPY_OTHER_DTYPE -> {
        String[] d = {"<i4", "|u1", "<c8", "|b1", "<U8", "O", "[('a', '<f4')]"};
        write(dir, "items.npy", npy(header(d[r.nextInt(d.length)], false, "(" + b.n + ", " + b.dim + ")"), b.values));
      }
      case NPY_BIG_ENDIAN -> write(dir, "items.npy", npy(header(">f4", false, "(" + b.n + ", " + b.dim + ")"), b.values));
      case NPY_NAN, NPY_INFINITY -> {
        float[] v = b.values.clone();
        float bad = fault == Fault.NPY_NAN ? Float.NaN : (r.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY);
        v[row * b.dim + r.nextInt(b.dim)] = bad;
        write(dir, "items.npy", npy(header("<f4", false, "(" + b.n + ", " + b.dim + ")"), v));
      }
      case NPY_ZERO_ITEMS -> {
        write(dir, "items.npy", npy(header("<f4", false, "(0, " + b.dim + ")"), new float[0]));
        write(dir, "items.tsv", "");
        write(dir, "captions.jsonl", "");
        write(dir, "dataset.json", b.info(b.dim, 0));
      }
      case TSV_MISSING -> delete(dir.resolve("items.tsv"));
      case TSV_EMPTY -> write(dir, "items.tsv", "");
      case TSV_FEWER_LINES -> write(dir, "items.tsv", b.tsv().substring(0, b.tsv().lastIndexOf('\n', b.tsv().length() - 2) + 1));
      case TSV_MORE_LINES -> {
        write(dir, "items.tsv", b.tsv() + "extra-item\t\n");
        return b.n + 1;
      }
      case TSV_DUPLICATE_ID -> {
        int other = (row + 1 + r.nextInt(b.n - 1)) % b.n;
        int first = Math.min(row, other), second = Math.max(row, other);
        write(dir, "items.tsv", replaceLine(b.tsv(), second, b.ids.get(first) + "\t"));
        return second + 1;
      }
      case TSV_EMPTY_ID -> {
        write(dir, "items.tsv", replaceLine(b.tsv(), row, "\tmedia/x.png"));
        return row + 1;
      }
      case TSV_BLANK_LINE_INSIDE -> {
        write(dir, "items.tsv", replaceLine(b.tsv(), row, "\n" + b.ids.get(row) + "\t"));
        return row + 1;
      }
      case TSV_NOT_UTF8 -> {
        write(dir, "items.tsv", withBadBytes(b.tsv(), row, r));
        return row + 1;
      }
      case TSV_10MB_LINE -> {
        write(dir, "items.tsv", replaceLine(b.tsv(), row, b.ids.get(row) + "\t\t" + longText(10 << 20)));
        return row + 1;
      }
      case CAP_MISSING -> delete(dir.resolve("captions.jsonl"));
      case CAP_UNKNOWN_ITEM -> {
        return capLine(dir, b, capLine, Base.caption("no-such-item-" + r.nextInt(100), "text", "train"));
      }
      case CAP_UNKNOWN_SPLIT -> {
        String[] s = {"training", "TEST", "", "dev", "valid"};
        return capLine(dir, b, capLine, Base.caption(b.ids.get(row), "text", s[r.nextInt(s.length)]));
      }
      case CAP_MALFORMED_JSON -> {
        String good = b.captions.get(capLine);
        String[] bad = {good.substring(0, 1 + r.nextInt(good.length() - 1)), good + "}", good.replace(":", "="),
            good.replace("\"text\"", "text"), "{\"item\":\"" + b.ids.get(row) + "\",\"text\":\"unterminated}"};
        return capLine(dir, b, capLine, bad[r.nextInt(bad.length)]);
      }
      case CAP_LENIENT_JSON -> {
        String[] bad = {"{'item':'" + b.ids.get(row) + "','text':'x','split':'train'}",
            Base.caption(b.ids.get(row), "x", "train").replace("}", ",}"),
            "// a comment", Base.caption(b.ids.get(row), "x", "train") + " " + Base.caption(b.ids.get(row), "y", "train"),
            "{\"item\":\"" + b.ids.get(row) + "\",\"text\":\"x\",\"split\":\"train\",\"n\":NaN}"};
        return capLine(dir, b, capLine, bad[r.nextInt(bad.length)]);
      }
      case CAP_NOT_AN_OBJECT -> {
        String[] bad = {"[1, 2]", "\"text\"", "42", "null", "true"};
        return capLine(dir, b, capLine, bad[r.nextInt(bad.length)]);
      }
      case CAP_MISSING_KEY -> {
        String id = b.ids.get(row);
        String[] bad = {"{\"text\":\"x\",\"split\":\"train\"}", "{\"item\":\"" + id + "\",\"split\":\"train\"}",
            "{\"item\":\"" + id + "\",\"text\":\"x\"}"};
        return capLine(dir, b, capLine, bad[r.nextInt(bad.length)]);
      }
      case CAP_WRONG_TYPE -> {
        String id = b.ids.get(row);
        String[] bad = {"{\"item\":" + row + ",\"text\":\"x\",\"split\":\"train\"}",
            "{\"item\":\"" + id + "\",\"text\":[\"x\"],\"split\":\"train\"}",
            "{\"item\":\"" + id + "\",\"text\":\"x\",\"split\":{}}",
            "{\"item\":\"" + id + "\",\"text\":\"x\",\"split\":\"train\",\"source\":7}"};
        return capLine(dir, b, capLine, bad[r.nextInt(bad.length)]);
      }
      case CAP_EMPTY_TEXT -> {
        String[] t = {"", " ", "\\t\\n"};
        return capLine(dir, b, capLine, Base.caption(b.ids.get(row), t[r.nextInt(t.length)], "train"));
      }
      case CAP_NOT_UTF8 -> {
        write(dir, "captions.jsonl", withBadBytes(b.jsonl(), capLine, r));
        return capLine + 1;
      }
      case CAP_10MB_LINE -> {
        return capLine(dir, b, capLine, Base.caption(b.ids.get(row), longText(10 << 20), "train"));
      }
      case CAP_DEEP_NESTING -> {
        int depth = 1000 + r.nextInt(100_000);
        return capLine(dir, b, capLine, "[".repeat(depth) + "]".repeat(depth));
      }
      case INFO_MISSING -> delete(dir.resolve("dataset.json"));
      case INFO_EMPTY -> write(dir, "dataset.json", "");
      case INFO_MALFORMED -> {
        String s = b.info(b.dim, b.n);
        write(dir, "dataset.json", s.substring(0, 1 + r.nextInt(s.length() - 3)));
      }
      case INFO_NOT_AN_OBJECT -> write(dir, "dataset.json", new String[] {"[]", "\"x\"", "null", "3"}[r.nextInt(4)]);
      case INFO_MISSING_KEY -> {
        String[] keys = {"\"name\": \"hostile\", ", "\"modality\": \"image\", ", "\"dim\": " + b.dim + ", ",
            "\"items\": " + b.n + ", "};
        write(dir, "dataset.json", b.info(b.dim, b.n).replace(keys[r.nextInt(keys.length)], ""));
      }
      case INFO_UNKNOWN_MODALITY -> write(dir, "dataset.json", b.info(b.dim, b.n).replace("\"image\"",
          new String[] {"\"text\"", "\"Image\"", "\"\"", "3"}[r.nextInt(4)]));
      case INFO_DIM_MISMATCH -> write(dir, "dataset.json", b.info(b.dim + 1 + r.nextInt(10), b.n));
      case INFO_ITEMS_MISMATCH -> write(dir, "dataset.json", b.info(b.dim, b.n + 1 + r.nextInt(10)));
      case INFO_BAD_NUMBER -> {
        String[] v = {"-1", "1.5", "1e10", "\"4\"", "99999999999999999999", "null"};
        write(dir, "dataset.json", b.info(b.dim, b.n).replace("\"dim\": " + b.dim, "\"dim\": " + v[r.nextInt(v.length)]));
      }
      case INFO_NOT_UTF8 -> write(dir, "dataset.json", withBadBytes(b.info(b.dim, b.n), 0, r));
      case INFO_TRAILING_DATA -> write(dir, "dataset.json", b.info(b.dim, b.n) + new String[] {"{}", "x", "]"}[r.nextInt(3)]);
      case MANIFEST_MISMATCH -> {
        // A dataset this project wrote carries SHA256SUMS; one byte of items.tsv changed afterwards.
        StringBuilder m = new StringBuilder();
        for (String f : List.of("items.npy", "items.tsv", "captions.jsonl", "dataset.json")) {
          m.append(sha256(dir.resolve(f))).append("  ").append(f).append('\n');
        }
        write(dir, "SHA256SUMS", m.toString());
        write(dir, "items.tsv", b.tsv().replaceFirst("item-", "itex-"));
      }
      case DIRECTORY_INSTEAD_OF_FILE -> {
        delete(dir.resolve("captions.jsonl"));
        try {
          Files.createDirectory(dir.resolve("captions.jsonl"));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return 0;
  }

  private static int capLine(Path dir, Base b, int line, String with) {
    List<String> c = new ArrayList<>(b.captions);
    c.set(line, with);
    write(dir, "captions.jsonl", String.join("\n", c) + "\n");
    return line + 1;
  }

  /** Writes an accepted variant of a valid dataset; the reader must see the same items and captions. */
  static Base make(Variant v, Random r, Path dir) {
    Base b = new Base(r);
    b.writeValid(dir);
    switch (v) {
      case BOM -> {
        String file = new String[] {"items.tsv", "captions.jsonl", "dataset.json"}[r.nextInt(3)];
        try {
          write(dir, file, "\uFEFF" + Files.readString(dir.resolve(file)));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      case CRLF -> {
        write(dir, "items.tsv", b.tsv().replace("\n", "\r\n"));
        write(dir, "captions.jsonl", b.jsonl().replace("\n", "\r\n"));
        write(dir, "dataset.json", b.info(b.dim, b.n).replace("\n", "\r\n"));
      }
      case EMPTY_CAPTIONS -> write(dir, "captions.jsonl", "");
      case TRAILING_BLANK_LINES -> write(dir, "items.tsv", b.tsv() + "\n\n");
    }
    return b;
  }

  static String sha256(Path f) {
    try {
      return org.cartengine.engine.io.Checksums.of(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path p) {
    try {
      Files.delete(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
