package org.cartengine.cart.data;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy .npy files holding an [N, D] matrix: versions 1.0, 2.0 and 3.0, dtypes {@code '<f4'} (float32) and
 * {@code '<f2'} (float16), C order. Files are memory-mapped ({@link #map}); streams (classpath resources) are read
 * into the heap ({@link #read(InputStream, String)}). Errors name the file.
 *
 * <p>Layout: magic {@code \x93NUMPY}, major and minor version bytes, header length (uint16 LE in 1.0, uint32 LE in
 * 2.0/3.0), a Python dict literal padded with spaces and ending in '\n' so that the data starts at a multiple of 64,
 * then the raw little-endian values row after row.
 */
public final class Npy {
  private Npy() {}

  /** The element types this project reads and writes. */
  public enum Dtype {
    F4("<f4", 4, "float32"), F2("<f2", 2, "float16");

    private final String descr;
    private final int bytes;
    private final String label;

    Dtype(String descr, int bytes, String label) {
      this.descr = descr;
      this.bytes = bytes;
      this.label = label;
    }

    /** The numpy type string, e.g. {@code <f4}. */
    public String descr() {
      return descr;
    }

    public int bytes() {
      return bytes;
    }

    /** "float32" or "float16". */
    public String label() {
      return label;
    }
  }

  /** What an .npy header says. {@code dataOffset} is where the values start. */
  public record Header(int major, int minor, Dtype dtype, int rows, int dim, long dataOffset) {
    /** Bytes of data the shape needs; Long.MAX_VALUE when that overflows (a lying header). */
    public long dataBytes() {
      try {
        return Math.multiplyExact(Math.multiplyExact((long) rows, (long) dim), (long) dtype.bytes());
      } catch (ArithmeticException e) {
        return Long.MAX_VALUE;
      }
    }
  }

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("['\"]descr['\"]\\s*:\\s*['\"]([^'\"]*)['\"]");
  private static final Pattern FORTRAN = Pattern.compile("['\"]fortran_order['\"]\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("['\"]shape['\"]\\s*:\\s*\\(([^)]*)\\)");

  // ---- reading ---------------------------------------------------------------------------------------------------

  /** Reads and checks the header of {@code file}, including that the file holds exactly the data it announces. */
  public static Header header(Path file) {
    String name = file.toString();
    try (InputStream in = Files.newInputStream(file)) {
      Header h = readHeader(in, name);
      long size = Files.size(file);
      checkSize(h, size - h.dataOffset(), name);
      return h;
    } catch (IOException e) {
      throw DatasetException.at(name, "cannot read: " + e);
    }
  }

  /** Memory-maps {@code file}: nothing is copied; float16 values are widened when read. */
  public static Embeddings map(Path file) {
    Header h = header(file);
    try {
      return new MappedEmbeddings(file, h);
    } catch (IOException e) {
      throw DatasetException.at(file.toString(), "cannot map: " + e);
    }
  }

  /** Reads a whole .npy stream into the heap; {@code name} names it in errors. Does not close {@code in}. */
  public static Embeddings read(InputStream in, String name) {
    try {
      Header h = readHeader(in, name);
      long n = (long) h.rows() * h.dim();
      if (n > Integer.MAX_VALUE - 16) {
        throw DatasetException.at(name, "shape (" + h.rows() + ", " + h.dim() + ") is too large to read into memory;"
            + " use a file, which is memory-mapped");
      }
      float[] out = new float[(int) n];
      byte[] buf = new byte[1 << 16];
      ByteBuffer bb = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
      int es = h.dtype().bytes();
      long need = n * es;
      long got = 0;
      int k = 0;
      while (got < need) {
        int want = (int) Math.min(buf.length, need - got);
        int r = in.readNBytes(buf, 0, want);
        got += r;
        if (r < want) checkSize(h, got, name); // throws: truncated
        for (int p = 0; p < r; p += es) {
          out[k++] = es == 4 ? bb.getFloat(p) : Float16.toFloat(bb.getShort(p));
        }
      }
      if (in.read() != -1) checkSize(h, got + 1, name); // throws: trailing bytes
      return Embeddings.of(out, h.rows(), h.dim());
    } catch (IOException e) {
      throw DatasetException.at(name, "cannot read: " + e);
    }
  }

  /** Reads the header of a stream positioned at its start, leaving it at the first value. */
  public static Header readHeader(InputStream in, String name) throws IOException {
    byte[] pre = in.readNBytes(8);
    if (pre.length < 8) throw DatasetException.at(name, "truncated: too short to be a .npy file");
    for (int i = 0; i < MAGIC.length; i++) {
      if (pre[i] != MAGIC[i]) throw DatasetException.at(name, "not a .npy file (bad magic bytes)");
    }
    int major = pre[6] & 0xff;
    int minor = pre[7] & 0xff;
    int lenBytes = switch (major) {
      case 1 -> 2;
      case 2, 3 -> 4;
      default -> throw DatasetException.at(name, "unsupported .npy version " + major + "." + minor
          + " (supported: 1.0, 2.0, 3.0)");
    };
    byte[] lb = in.readNBytes(lenBytes);
    if (lb.length < lenBytes) throw DatasetException.at(name, "truncated: header length missing");
    ByteBuffer lbb = ByteBuffer.wrap(lb).order(ByteOrder.LITTLE_ENDIAN);
    long headerLen = lenBytes == 2 ? (lbb.getShort() & 0xffff) : (lbb.getInt() & 0xffffffffL);
    if (headerLen > 1 << 20) throw DatasetException.at(name, "implausible header length " + headerLen);
    byte[] hb = in.readNBytes((int) headerLen);
    if (hb.length < headerLen) throw DatasetException.at(name, "truncated: header cut off");
    String dict = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    return parseHeader(dict, major, minor, 6 + 2 + lenBytes + headerLen, name);
  }

  static Header parseHeader(String dict, int major, int minor, long dataOffset, String name) {
    Matcher d = DESCR.matcher(dict);
    if (!d.find()) {
      throw DatasetException.at(name, "unsupported dtype (no simple 'descr' in header " + DatasetException.quote(dict.strip())
          + "; structured arrays are not supported)");
    }
    String descr = d.group(1);
    Dtype dtype = switch (descr) {
      case "<f4" -> Dtype.F4;
      case "<f2" -> Dtype.F2;
      case ">f4", ">f2" -> throw DatasetException.at(name, "unsupported dtype '" + descr
          + "': big-endian data is not supported (convert with arr.astype('<f4'))");
      default -> throw DatasetException.at(name, "unsupported dtype '" + DatasetException.quote(descr)
          + "' (expected '<f4' float32 or '<f2' float16)");
    };
    Matcher f = FORTRAN.matcher(dict);
    if (!f.find()) throw DatasetException.at(name, "header has no 'fortran_order': " + DatasetException.quote(dict.strip()));
    if (f.group(1).equals("True")) {
      throw DatasetException.at(name, "Fortran-order arrays are not supported; save a C-order array "
          + "(numpy.ascontiguousarray)");
    }
    Matcher s = SHAPE.matcher(dict);
    if (!s.find()) throw DatasetException.at(name, "header has no 'shape': " + DatasetException.quote(dict.strip()));
    String[] parts = s.group(1).split(",");
    long[] shape = new long[parts.length];
    int k = 0;
    for (String p : parts) {
      if (p.isBlank()) continue;
      try {
        shape[k++] = Long.parseLong(p.strip());
      } catch (NumberFormatException e) {
        throw DatasetException.at(name, "bad shape (" + DatasetException.quote(s.group(1)) + ")");
      }
    }
    if (k != 2) throw DatasetException.at(name, "shape (" + DatasetException.quote(s.group(1)) + ") is not [N, D]");
    if (shape[0] < 0 || shape[1] < 0 || shape[0] > Integer.MAX_VALUE || shape[1] > Integer.MAX_VALUE) {
      throw DatasetException.at(name, "shape (" + DatasetException.quote(s.group(1)) + ") out of range");
    }
    return new Header(major, minor, dtype, (int) shape[0], (int) shape[1], dataOffset);
  }

  private static void checkSize(Header h, long dataBytes, String name) {
    if (dataBytes < h.dataBytes()) {
      throw DatasetException.at(name, "truncated: shape (" + h.rows() + ", " + h.dim() + ") of " + h.dtype().descr()
          + " needs " + h.dataBytes() + " bytes of data, the file has " + dataBytes);
    }
    if (dataBytes > h.dataBytes()) {
      throw DatasetException.at(name, "trailing bytes: shape (" + h.rows() + ", " + h.dim() + ") of "
          + h.dtype().descr() + " needs " + h.dataBytes() + " bytes of data, the file has more");
    }
  }

  // ---- writing ---------------------------------------------------------------------------------------------------

  /** Writes {@code e} to {@code file} as {@code dtype} (float16 rounds to nearest even). */
  public static void write(Path file, Embeddings e, Dtype dtype) {
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
      write(out, e, dtype);
    } catch (IOException ex) {
      throw DatasetException.at(file.toString(), "cannot write: " + ex);
    }
  }

  /** Writes a version 1.0 .npy of {@code e} to {@code out} (not closed). */
  public static void write(OutputStream out, Embeddings e, Dtype dtype) throws IOException {
    out.write(headerBytes(e.rows(), e.dim(), dtype));
    float[] row = new float[e.dim()];
    ByteBuffer bb = ByteBuffer.allocate(e.dim() * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < e.rows(); i++) {
      e.row(i, row, 0);
      bb.clear();
      if (dtype == Dtype.F4) {
        for (float v : row) bb.putFloat(v);
      } else {
        for (float v : row) bb.putShort(Float16.fromFloat(v));
      }
      out.write(bb.array(), 0, bb.position());
    }
  }

  /** The magic, version 1.0 and header of an [rows, dim] array, padded so the data starts at a multiple of 64. */
  static byte[] headerBytes(int rows, int dim, Dtype dtype) {
    String dict = "{'descr': '" + dtype.descr() + "', 'fortran_order': False, 'shape': (" + rows + ", " + dim + "), }";
    int unpadded = 10 + dict.length() + 1;
    String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
    ByteBuffer bb = ByteBuffer.allocate(10 + header.length()).order(ByteOrder.LITTLE_ENDIAN);
    bb.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
    bb.put(header.getBytes(StandardCharsets.ISO_8859_1));
    return bb.array();
  }
}
