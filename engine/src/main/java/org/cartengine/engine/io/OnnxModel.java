package org.cartengine.engine.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of an ONNX file a pretrained model's weights live in: the graph's initializers (named tensors),
 * its nodes (op type, inputs, outputs: enough to find which anonymous weight feeds which MatMul) and its input
 * names. Everything else (attributes, value infos, opsets) is skipped unread.
 *
 * <p>A reader of the protobuf wire format of our own rather than protobuf-java with generated ONNX classes:
 * the five messages and a dozen fields we need fit on a page, the file is read memory-mapped so raw tensor
 * data stays a view into the mapping (no copy of 90 MB into protobuf byte strings), and the engine keeps no
 * dependency besides the GPU bindings. Field numbers are those of onnx.proto3.
 */
public final class OnnxModel {
  /** TensorProto.DataType codes this reader decodes. */
  public static final int FLOAT = 1, INT64 = 7;

  /** An initializer; {@code data} is little-endian element data (raw_data or the decoded typed field). */
  public record Initializer(String name, int dataType, long[] dims, ByteBuffer data) {
    public float[] floats() {
      if (dataType != FLOAT) throw new IllegalStateException(name + " has ONNX data type " + dataType + ", not float32");
      if (data.remaining() != 4 * numel()) throw new IllegalStateException(name + ": " + data.remaining() + " bytes of data for dims " + java.util.Arrays.toString(dims));
      float[] out = new float[data.remaining() / 4];
      data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
      return out;
    }

    public long numel() {
      long n = 1;
      for (long d : dims) n *= d;
      return n;
    }
  }

  public record Node(String opType, String name, List<String> inputs, List<String> outputs) {}

  public final Map<String, Initializer> initializers = new LinkedHashMap<>();
  public final List<Node> nodes = new ArrayList<>();
  public final List<String> inputs = new ArrayList<>();

  private OnnxModel() {}

  /** Reads a file through a read-only memory mapping (the initializers' data are views into it). */
  public static OnnxModel read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      if (ch.size() > Integer.MAX_VALUE) throw new IOException(file + ": ONNX files over 2 GB keep weights outside the protobuf; not supported");
      try {
        return read(ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()));
      } catch (IllegalArgumentException e) {
        throw new IOException(file + ": not a readable ONNX model: " + e.getMessage(), e);
      }
    }
  }

  public static OnnxModel read(ByteBuffer model) {
    OnnxModel m = new OnnxModel();
    Wire w = new Wire(model.duplicate());
    boolean graph = false;
    while (w.more()) {
      int tag = w.tag();
      if (tag == field(7, 2)) {
        m.graph(w.message());
        graph = true;
      } else w.skip(tag);
    }
    if (!graph) throw new IllegalArgumentException("no graph (ModelProto field 7)");
    return m;
  }

  private void graph(Wire w) {
    while (w.more()) {
      int tag = w.tag();
      if (tag == field(1, 2)) nodes.add(node(w.message()));
      else if (tag == field(5, 2)) {
        Initializer t = tensor(w.message());
        initializers.put(t.name(), t);
      } else if (tag == field(11, 2)) {
        Wire v = w.message();
        while (v.more()) {
          int t = v.tag();
          if (t == field(1, 2)) inputs.add(v.string());
          else v.skip(t);
        }
      } else w.skip(tag);
    }
  }

  private static Node node(Wire w) {
    List<String> in = new ArrayList<>(), out = new ArrayList<>();
    String name = "", op = "";
    while (w.more()) {
      int tag = w.tag();
      if (tag == field(1, 2)) in.add(w.string());
      else if (tag == field(2, 2)) out.add(w.string());
      else if (tag == field(3, 2)) name = w.string();
      else if (tag == field(4, 2)) op = w.string();
      else w.skip(tag);
    }
    return new Node(op, name, in, out);
  }

  private static Initializer tensor(Wire w) {
    List<Long> dims = new ArrayList<>();
    int type = 0;
    String name = "";
    ByteBuffer raw = null;
    ByteBuffer typed = ByteBuffer.allocate(0);
    while (w.more()) {
      int tag = w.tag();
      if (tag == field(1, 0)) dims.add(w.varint());
      else if (tag == field(1, 2)) for (Wire p = w.message(); p.more(); ) dims.add(p.varint());
      else if (tag == field(2, 0)) type = (int) w.varint();
      else if (tag == field(4, 2)) typed = w.bytes(); // packed float_data: already 4-byte little-endian floats
      else if (tag == field(7, 2)) typed = packedInt64(w.message());
      else if (tag == field(8, 2)) name = w.string();
      else if (tag == field(9, 2)) raw = w.bytes();
      else if (tag == field(14, 0)) {
        if (w.varint() == 1) throw new IllegalArgumentException("initializer " + name + " keeps its data in an external file");
      }
      else w.skip(tag);
    }
    long[] d = dims.stream().mapToLong(Long::longValue).toArray();
    return new Initializer(name, type, d, (raw != null ? raw : typed).order(ByteOrder.LITTLE_ENDIAN));
  }

  private static ByteBuffer packedInt64(Wire p) {
    List<Long> v = new ArrayList<>();
    while (p.more()) v.add(p.varint());
    ByteBuffer b = ByteBuffer.allocate(8 * v.size()).order(ByteOrder.LITTLE_ENDIAN);
    for (long x : v) b.putLong(x);
    return b.flip();
  }

  private static int field(int number, int wireType) {
    return number << 3 | wireType;
  }

  /** A cursor over one message's bytes: varints, length-delimited views, skips. */
  private static final class Wire {
    private final ByteBuffer b;

    Wire(ByteBuffer b) {
      this.b = b;
    }

    boolean more() {
      return b.hasRemaining();
    }

    int tag() {
      return (int) varint();
    }

    long varint() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        byte x = b.get();
        v |= (long) (x & 0x7f) << shift;
        if (x >= 0) return v;
      }
      throw new IllegalArgumentException("malformed varint at byte " + b.position());
    }

    ByteBuffer bytes() {
      long n = varint();
      if (n < 0 || n > b.remaining()) throw new IllegalArgumentException("field of " + n + " bytes runs past its message at byte " + b.position());
      ByteBuffer s = b.slice(b.position(), (int) n);
      b.position(b.position() + (int) n);
      return s;
    }

    Wire message() {
      return new Wire(bytes());
    }

    String string() {
      ByteBuffer s = bytes();
      byte[] a = new byte[s.remaining()];
      s.get(a);
      return new String(a, StandardCharsets.UTF_8);
    }

    void skip(int tag) {
      switch (tag & 7) {
        case 0 -> varint();
        case 1 -> b.position(b.position() + 8);
        case 2 -> bytes();
        case 5 -> b.position(b.position() + 4);
        default -> throw new IllegalArgumentException("unsupported wire type " + (tag & 7) + " at byte " + b.position());
      }
    }
  }
}
