package org.cartengine.engine.io;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.cartengine.engine.DType;
import org.cartengine.engine.Tensor;
import org.cartengine.engine.backend.Backend;

/**
 * The safetensors format (8-byte little-endian header length, a JSON header of name -> {dtype, shape,
 * data_offsets} plus "__metadata__", then raw little-endian data), so PyTorch's safetensors package
 * reads our checkpoints. Writes go to a temporary file that is renamed over the target.
 */
public final class Safetensors {
  private Safetensors() {}

  private static String code(DType d) {
    return switch (d) {
      case F32 -> "F32";
      case F64 -> "F64";
      case I32 -> "I32";
    };
  }

  private static DType dtype(String code, Path file, String name) {
    return switch (code) {
      case "F32" -> DType.F32;
      case "F64" -> DType.F64;
      case "I32" -> DType.I32;
      default -> throw new IllegalArgumentException(file + ": tensor " + name + " has unsupported dtype " + code);
    };
  }

  public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
    JsonObject header = new JsonObject();
    if (metadata != null && !metadata.isEmpty()) {
      JsonObject meta = new JsonObject();
      metadata.forEach(meta::addProperty);
      header.add("__metadata__", meta);
    }
    long pos = 0;
    for (var e : tensors.entrySet()) {
      Tensor t = e.getValue();
      JsonObject o = new JsonObject();
      o.addProperty("dtype", code(t.dtype()));
      var shape = new com.google.gson.JsonArray();
      for (int s : t.shape()) shape.add(s);
      o.add("shape", shape);
      long len = (long) t.numel() * t.dtype().bytes;
      var offs = new com.google.gson.JsonArray();
      offs.add(pos);
      offs.add(pos + len);
      o.add("data_offsets", offs);
      header.add(e.getKey(), o);
      pos += len;
    }
    byte[] hb = new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
    int pad = (8 - hb.length % 8) % 8;
    byte[] hdr = Arrays.copyOf(hb, hb.length + pad);
    Arrays.fill(hdr, hb.length, hdr.length, (byte) ' ');
    Path dir = file.toAbsolutePath().getParent();
    if (dir != null) Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hdr.length);
      lenBuf.flip();
      ch.write(lenBuf);
      ch.write(ByteBuffer.wrap(hdr));
      for (Tensor t : tensors.values()) {
        ByteBuffer bb = ByteBuffer.allocate(t.numel() * t.dtype().bytes).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.dtype()) {
          case F32 -> bb.asFloatBuffer().put(t.toFloatArray());
          case F64 -> bb.asDoubleBuffer().put(t.toDoubleArray());
          case I32 -> bb.asIntBuffer().put(t.toIntArray());
        }
        while (bb.hasRemaining()) ch.write(bb);
      }
      ch.force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** All tensors of a file, on the given backend, in file order. */
  public static Map<String, Tensor> read(Path file, Backend be) throws IOException {
    return readWithMetadata(file, be, null);
  }

  public static Map<String, Tensor> readWithMetadata(Path file, Backend be, Map<String, String> metadataOut) throws IOException {
    byte[] all = Files.readAllBytes(file);
    if (all.length < 8) throw new IOException(file + ": not a safetensors file (shorter than 8 bytes)");
    ByteBuffer bb = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    long hlen = bb.getLong();
    if (hlen < 2 || 8 + hlen > all.length) throw new IOException(file + ": header length " + hlen + " does not fit a file of " + all.length + " bytes");
    JsonObject header;
    try {
      header = JsonParser.parseString(new String(all, 8, (int) hlen, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (RuntimeException e) {
      throw new IOException(file + ": malformed safetensors header: " + e.getMessage(), e);
    }
    int base = 8 + (int) hlen;
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (var e : header.entrySet()) {
      if (e.getKey().equals("__metadata__")) {
        if (metadataOut != null) e.getValue().getAsJsonObject().entrySet().forEach(m -> metadataOut.put(m.getKey(), m.getValue().getAsString()));
        continue;
      }
      JsonObject o = e.getValue().getAsJsonObject();
      DType dt = dtype(o.get("dtype").getAsString(), file, e.getKey());
      var sh = o.getAsJsonArray("shape");
      int[] shape = new int[sh.size()];
      for (int i = 0; i < shape.length; i++) shape[i] = sh.get(i).getAsInt();
      long start = o.getAsJsonArray("data_offsets").get(0).getAsLong(), end = o.getAsJsonArray("data_offsets").get(1).getAsLong();
      int n = org.cartengine.engine.Shape.numel(shape);
      if (end - start != (long) n * dt.bytes || base + end > all.length)
        throw new IOException(file + ": tensor " + e.getKey() + " has data_offsets [" + start + ", " + end + "] inconsistent with shape " + Arrays.toString(shape) + " " + dt);
      ByteBuffer slice = ByteBuffer.wrap(all, base + (int) start, (int) (end - start)).slice().order(ByteOrder.LITTLE_ENDIAN);
      Tensor t;
      switch (dt) {
        case F32 -> {
          float[] f = new float[n];
          slice.asFloatBuffer().get(f);
          t = Tensor.of(be, f, shape);
        }
        case F64 -> {
          double[] d = new double[n];
          slice.asDoubleBuffer().get(d);
          t = Tensor.of(be, d, shape);
        }
        default -> {
          int[] iv = new int[n];
          slice.asIntBuffer().get(iv);
          t = Tensor.ofInts(be, iv, shape);
        }
      }
      out.put(e.getKey(), t);
    }
    return out;
  }

  /**
   * Loads a file into a module's parameters; every name must exist on both sides with the same shape
   * and dtype, otherwise the error lists exactly what does not match.
   */
  public static void loadInto(org.cartengine.engine.nn.Module module, Map<String, Tensor> tensors, String source) {
    Map<String, Tensor> params = module.parameters();
    StringBuilder problems = new StringBuilder();
    for (var e : params.entrySet()) {
      Tensor v = tensors.get(e.getKey());
      Tensor p = e.getValue();
      if (v == null) problems.append("\n  missing in file: ").append(e.getKey()).append(' ').append(Arrays.toString(p.shape()));
      else if (!Arrays.equals(v.shape(), p.shape()) || v.dtype() != p.dtype())
        problems.append("\n  mismatch: ").append(e.getKey()).append(" model ").append(p.dtype()).append(Arrays.toString(p.shape()))
            .append(" vs file ").append(v.dtype()).append(Arrays.toString(v.shape()));
    }
    for (String k : tensors.keySet()) if (!params.containsKey(k)) problems.append("\n  unexpected in file: ").append(k);
    if (problems.length() > 0) throw new IllegalArgumentException(source + ": checkpoint does not match the model:" + problems);
    for (var e : params.entrySet()) org.cartengine.engine.nn.Module.assign(e.getValue(), tensors.get(e.getKey()));
  }
}
